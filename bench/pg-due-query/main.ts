/**
 * The scheduler's due-queries on 10 000 and on 1 000 000 subscriptions, the same number due.
 *
 *   node --conditions=@panelkit/source --import tsx bench/pg-due-query/main.ts [--sizes 10000,1000000] [--due 100] [--runs 25]
 *
 * Runs against PANELKIT_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 * Each size gets a fresh schema seeded with one `INSERT … SELECT generate_series`: `due` rows
 * for each query, and the rest spread over the same statuses but not due, so every query must
 * skip most of its status. Prints the median time of each query and the plan `EXPLAIN (ANALYZE,
 * BUFFERS)` gives for the exact statement the storage ran.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ManualClock } from '@panelkit/sdk';
import type { DueQuery } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import type { SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';

const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '10000,1000000' }, due: { type: 'string', default: '100' }, runs: { type: 'string', default: '25' } },
});
const sizes = values.sizes.split(',').map(Number);
const due = Number(values.due);
const runs = Number(values.runs);
const DAY = 86_400_000;

const pool = new pg.Pool({ connectionString: process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test', max: 2 });
const base = fromPgPool(pool);
/** The storage's statements, so the bench can EXPLAIN exactly what ran. */
const recorded: { text: string; params: readonly unknown[] }[] = [];
const client: SqlClient = {
  concurrent: true,
  query: (text, params) => {
    recorded.push({ text, params: params ?? [] });
    return base.query(text, params);
  },
  transaction: (fn) => base.transaction(fn),
};

const clock = new ManualClock();
const now = clock.now();
const queries: Record<string, DueQuery> = {
  expiring: { kind: 'expiring', statuses: ['active', 'on_hold', 'limited'], to: new Date(now.getTime() + DAY) },
  over_limit: { kind: 'over_limit' },
  first_use: { kind: 'first_use' },
  stale_status: { kind: 'stale_status', statuses: ['suspended', 'expired'], before: new Date(now.getTime() - 7 * DAY) },
};

async function seed(schema: string, size: number): Promise<void> {
  const storage = createPostgresStorage({ client: base, schema, clock });
  const panel = await storage.panels.create({ kind: 'marzban', name: 'bench', baseUrl: 'https://bench.example.com', credentials: { type: 'token', token: 't' } });
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'bench', protocol: 'vless' });
  const plan = await storage.plans.create({ name: 'bench', family: 'bench', price: { amount: 1, currency: 'USD' }, durationDays: 30, trafficBytes: null });
  const customer = await storage.customers.create({ email: 'bench@example.com' });
  // Rows 1..d are due for `expiring`, d+1..2d for `over_limit`, 2d+1..3d for `first_use`,
  // 3d+1..4d for `stale_status`. The rest share those statuses without being due:
  // active with a far expiry and traffic left, on_hold unused, suspended recently.
  await base.query(
    `INSERT INTO "${schema}".subscriptions (id, customer_id, plan_id, panel_id, target_id, status, status_changed_at, remote,
       traffic_limit_bytes, used_bytes, expires_at, duration_days, start_on_first_use, share_links, auto_renew, trial, notices, revision, created_at, updated_at)
     SELECT 'sub_' || lpad(g::text, 8, '0'), $1, $2, $3, $4,
       CASE WHEN g <= $6 THEN 'active' WHEN g <= 2 * $6 THEN 'active' WHEN g <= 3 * $6 THEN 'on_hold' WHEN g <= 4 * $6 THEN 'suspended'
            WHEN g % 10 = 0 THEN 'suspended' WHEN g % 10 = 1 THEN 'on_hold' ELSE 'active' END,
       CASE WHEN g > 3 * $6 AND g <= 4 * $6 THEN $5::timestamptz - interval '30 days' ELSE $5::timestamptz END,
       jsonb_build_object('username', 'pk_' || g, 'uuid', '00000000-0000-4000-8000-000000000000', 'password', 'passwordpassword0',
         'subId', 'abcdefghijklmnop', 'ssKey', repeat('a', 44), 'generation', 0),
       1000,
       CASE WHEN g > $6 AND g <= 2 * $6 THEN 2000 WHEN g > 2 * $6 AND g <= 3 * $6 THEN 10 ELSE 0 END,
       CASE WHEN g <= $6 THEN $5::timestamptz + interval '1 hour' ELSE $5::timestamptz + (10 + g % 300) * interval '1 day' END,
       30, false, '[]', false, false, '[]', 0, $5::timestamptz, $5::timestamptz
     FROM generate_series(1, $7::integer) AS g`,
    [customer.id, plan.id, panel.id, target.id, now.toISOString(), due, size],
  );
  await base.query(`VACUUM ANALYZE "${schema}".subscriptions`);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The scan nodes and the top node's buffer count of a plan. */
function summarise(plan: string[]): string {
  const scans = plan.filter((line) => /Scan|Append|Merge/.test(line)).map((line) => line.trim().replace(/\s+\(cost=[^)]*\)/, '').replace(/\s+\(actual[^)]*\)/, ''));
  const buffers = plan.find((line) => line.includes('Buffers:'))?.trim() ?? '';
  return [...new Set(scans)].join('; ') + (buffers === '' ? '' : ` | ${buffers}`);
}

const results: Record<string, Record<number, { ms: number; rows: number; plan: string }>> = {};
try {
  for (const size of sizes) {
    const schema = `pk_bench_due_${randomBytes(4).toString('hex')}`;
    await migrate(base, { schema, clock });
    try {
      const seeding = performance.now();
      await seed(schema, size);
      console.log(`seeded ${size.toLocaleString('en-US')} subscriptions in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
      const storage = createPostgresStorage({ client, schema, clock });
      for (const [name, query] of Object.entries(queries)) {
        const page = await storage.subscriptions.listDue(query, { limit: 1000 });
        if (page.items.length !== due) throw new Error(`${name} on ${size} found ${page.items.length}, expected ${due}`);
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const started = performance.now();
          await storage.subscriptions.listDue(query, { limit: 1000 });
          times.push(performance.now() - started);
        }
        const last = recorded[recorded.length - 1]!;
        const explained = await base.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${last.text}`, last.params);
        const plan = explained.rows.map((r) => r['QUERY PLAN']);
        (results[name] ??= {})[size] = { ms: median(times), rows: page.items.length, plan: summarise(plan) };
      }
    } finally {
      await base.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  }
  console.log(`\npg-due-query: median of ${runs} runs, ${due} rows due per query, page limit 1000`);
  for (const [name, bySize] of Object.entries(results)) {
    const cells = sizes.map((size) => `${size.toLocaleString('en-US')}: ${bySize[size]!.ms.toFixed(2)} ms`);
    const ratio = bySize[sizes[sizes.length - 1]!]!.ms / bySize[sizes[0]!]!.ms;
    console.log(`  ${name.padEnd(13)} ${cells.join('   ')}   (x${ratio.toFixed(2)} for x${(sizes[sizes.length - 1]! / sizes[0]!).toFixed(0)} rows)`);
  }
  console.log('\nplans (EXPLAIN ANALYZE BUFFERS of the statement the storage ran):');
  for (const [name, bySize] of Object.entries(results)) {
    for (const size of sizes) console.log(`  ${name} @ ${size.toLocaleString('en-US')}: ${bySize[size]!.plan}`);
  }
} finally {
  await pool.end();
}
