/**
 * The sales read model (`sales.figures`) on a busy year of books: a month, a quarter and a year of days,
 * each over 100 000 and over 1 000 000 ledger entries (10× the subscriptions and orders as well).
 *
 *   node --conditions=@panelkit/source --import tsx bench/pg-sales-figures/main.ts [--sizes 100000,1000000] [--runs 9]
 *
 * Runs against PANELKIT_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). Each size gets a
 * fresh schema seeded with `INSERT … SELECT generate_series`: ledger entries of every kind spread over 365 days,
 * one order per 4 entries and one subscription per 10 (activated, some expired or terminated since). Prints the
 * median time of each range, beside the baseline: the statements the shop ran before the read model (each day's
 * bounds joined to the tables, `unnest(starts, ends)`), on the same rows.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { zonedDays } from '@panelkit/sdk/rules';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import type { SqlClient } from '@panelkit/storage-postgres';
import type { StoragePort } from '@panelkit/sdk/storage';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    runs: { type: 'string', default: '9' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const runs = Number(values.runs);
const ZONE = 'Asia/Tehran';
const END = '2026-12-31';
const RANGES = { month: '2026-12-02', quarter: '2026-10-01', year: '2026-01-01' } as const;

const pool = new pg.Pool({
  connectionString: process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 2,
});
const base = fromPgPool(pool);
const clock = new ManualClock('2027-01-01T00:00:00.000Z');

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A year of books: `entries` ledger rows, a quarter as many orders, a tenth as many subscriptions. */
async function seed(db: SqlClient, schema: string, storage: StoragePort, entries: number): Promise<void> {
  const s = `"${schema}"`;
  const panel = await storage.panels.create({
    kind: 'marzban',
    name: 'b',
    baseUrl: 'https://b.example.com',
    credentials: { type: 'token', token: 't' },
  });
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'b', protocol: 'vless' });
  const plan = await storage.plans.create({
    name: 'b',
    family: 'b',
    price: { amount: 500, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({ email: 'books@example.com' });
  const year = `timestamptz '2026-01-01T00:00:00Z' + (g % 365) * interval '1 day' + (g % 86400) * interval '1 second'`;
  await db.query(
    `INSERT INTO ${s}.orders (id, customer_id, status, items, total_amount, total_currency, idempotency_key, request_hash, ledger_entry_id, created_at, updated_at)
     SELECT 'ord_' || lpad(g::text, 9, '0'), $1, 'completed',
            jsonb_build_array(jsonb_build_object('planId', $2::text, 'quantity', 1, 'unitPrice', jsonb_build_object('amount', 500, 'currency', 'USD'), 'trial', false)),
            CASE WHEN g % 10 = 0 THEN 0 ELSE 500 END, 'USD', 'k' || g, 'h' || g, NULL, ${year}, ${year}
       FROM generate_series(1, $3::integer) AS g`,
    [customer.id, plan.id, Math.floor(entries / 4)],
  );
  await db.query(
    `INSERT INTO ${s}.ledger_entries (id, customer_id, kind, amount, currency, idempotency_key, actor, balance_after, created_at)
     SELECT 'led_' || lpad(g::text, 9, '0'), $1,
            (ARRAY['top_up','purchase','extension','traffic_top_up','refund','plan_change','adjustment','referral'])[1 + g % 8],
            CASE WHEN g % 8 IN (1, 2, 3) THEN -500 WHEN g % 8 = 5 THEN -200 ELSE 300 END,
            CASE WHEN g % 50 = 0 THEN 'EUR' ELSE 'USD' END, 'key-' || g, '{"type":"system","id":null}', 0, ${year}
       FROM generate_series(1, $2::integer) AS g`,
    [customer.id, entries],
  );
  await db.query(
    `INSERT INTO ${s}.subscriptions (id, customer_id, plan_id, panel_id, target_id, status, status_changed_at, remote,
       traffic_limit_bytes, used_bytes, expires_at, activated_at, duration_days, start_on_first_use, share_links, auto_renew, trial, notices, revision, created_at, updated_at)
     SELECT 'sub_' || lpad(g::text, 9, '0'), $1, $2, $3, $4,
            CASE WHEN g % 5 = 0 THEN 'expired' WHEN g % 7 = 0 THEN 'terminated' ELSE 'active' END,
            ${year} + interval '30 days',
            jsonb_build_object('username', 'pk_' || g, 'uuid', '00000000-0000-4000-8000-000000000000', 'password', 'passwordpassword0',
              'subId', 'abcdefghijklmnop', 'ssKey', repeat('a', 44), 'generation', 0),
            NULL, 0, ${year} + interval '30 days', ${year}, 30, false, '[]', false, false, '[]', 0, ${year}, ${year}
       FROM generate_series(1, $5::integer) AS g`,
    [customer.id, plan.id, panel.id, target.id, Math.floor(entries / 10)],
  );
  for (const table of ['orders', 'ledger_entries', 'subscriptions']) await db.query(`VACUUM ANALYZE ${s}.${table}`);
}

/** The shop's statements before the read model: every day's `[start, end)` joined to the rows (the baseline). */
async function joinedPerDay(db: SqlClient, schema: string, days: readonly { start: Date; end: Date }[]): Promise<void> {
  const s = `"${schema}"`;
  const starts = days.map((d) => d.start.toISOString());
  const ends = days.map((d) => d.end.toISOString());
  const buckets = `unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS b(starts_at, ends_at, i)`;
  await db.query(
    `SELECT b.i::int AS i, l.currency, (-sum(l.amount))::text AS total
       FROM ${buckets} JOIN ${s}.ledger_entries l ON l.created_at >= b.starts_at AND l.created_at < b.ends_at
      WHERE l.kind = ANY($3::text[]) GROUP BY b.i, l.currency`,
    [starts, ends, ['purchase', 'extension', 'traffic_top_up', 'plan_change', 'refund']],
  );
  await db.query(
    `SELECT b.i::int AS i, count(o.id)::int AS n
       FROM ${buckets} JOIN ${s}.orders o ON o.created_at >= b.starts_at AND o.created_at < b.ends_at
      WHERE o.total_amount > 0 GROUP BY b.i`,
    [starts, ends],
  );
  await db.query(
    `SELECT b.i::int AS i, count(x.activated_at)::int AS n
       FROM ${buckets} JOIN (
         SELECT activated_at,
                CASE status WHEN 'expired' THEN status_changed_at
                            WHEN 'terminated' THEN LEAST(status_changed_at, COALESCE(expires_at, status_changed_at)) END AS left_at
           FROM ${s}.subscriptions WHERE activated_at IS NOT NULL
       ) x ON x.activated_at < b.ends_at AND (x.left_at IS NULL OR x.left_at >= b.ends_at)
      GROUP BY b.i`,
    [starts, ends],
  );
}

const results: Record<string, Record<number, { model: number; baseline: number }>> = {};
try {
  for (const size of sizes) {
    const schema = `pk_bench_sales_${randomBytes(4).toString('hex')}`;
    await migrate(base, { schema, clock });
    try {
      const storage = createPostgresStorage({ client: base, schema, clock });
      const seeding = performance.now();
      await seed(base, schema, storage, size);
      console.log(`seeded ${size.toLocaleString('en-US')} ledger entries in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
      for (const [name, from] of Object.entries(RANGES)) {
        const days = zonedDays(from, END, ZONE);
        const read = await storage.sales.figures({ days });
        if (read.length !== days.length) throw new Error(`${name}: ${read.length} days, expected ${days.length}`);
        const model: number[] = [];
        const baseline: number[] = [];
        for (let i = 0; i < runs; i++) {
          let started = performance.now();
          await storage.sales.figures({ days });
          model.push(performance.now() - started);
          started = performance.now();
          await joinedPerDay(base, schema, days);
          baseline.push(performance.now() - started);
        }
        (results[`${name} (${days.length} days)`] ??= {})[size] = { model: median(model), baseline: median(baseline) };
      }
    } finally {
      await base.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  }
  console.log(`\npg-sales-figures: median of ${runs} runs, days of ${ZONE}: sales.figures vs the per-day join (baseline)`);
  for (const [name, bySize] of Object.entries(results)) {
    const cells = sizes.map((size) => {
      const { model, baseline } = bySize[size]!;
      return `${size.toLocaleString('en-US')} entries: ${model.toFixed(1)} ms vs ${baseline.toFixed(1)} ms (${(baseline / model).toFixed(1)}×)`;
    });
    console.log(`  ${name.padEnd(18)} ${cells.join('   ')}`);
  }
} finally {
  await pool.end();
}
