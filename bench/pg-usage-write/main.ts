/**
 * Usage writes in bulk vs row by row, same run, same database.
 *
 *   node --conditions=@panelkit/source --import tsx bench/pg-usage-write/main.ts [--driver pg|pglite] [--readings 100000] [--page 1000]
 *
 * `pg` uses PANELKIT_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). The
 * subscriptions are seeded with one `INSERT … SELECT generate_series`, not through the API. Then
 * every subscription gets one reading through `recordUsage` in pages (one locked `SELECT` and one
 * `UPDATE … FROM unnest` per page), and again one reading per call (the row-by-row baseline).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
// Not from `@panelkit/sdk/testing`: that entry also holds the vitest suites, which need the vitest runner.
import { ManualClock } from '../../packages/sdk/src/testing/manual-clock.js';
import type { UsageReading } from '@panelkit/sdk';
import { createPostgresStorage, fromPGlite, fromPgPool, migrate } from '@panelkit/storage-postgres';
import type { SqlClient } from '@panelkit/storage-postgres';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    driver: { type: 'string', default: 'pg' },
    readings: { type: 'string', default: '100000' },
    page: { type: 'string', default: '1000' },
  },
});
const driver = values.driver === 'pglite' ? 'pglite' : 'pg';
const count = Number(values.readings);
const pageSize = Number(values.page);

async function connect(): Promise<{ client: SqlClient; close: () => Promise<void> }> {
  if (driver === 'pglite') {
    const db = await PGlite.create();
    return { client: fromPGlite(db), close: () => db.close() };
  }
  const pool = new pg.Pool({
    connectionString: process.env['PANELKIT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
    max: 2,
  });
  return { client: fromPgPool(pool), close: () => pool.end() };
}

const { client, close } = await connect();
const schema = `pk_bench_usage_${randomBytes(4).toString('hex')}`;
const clock = new ManualClock();
await migrate(client, { schema, clock });
const storage = createPostgresStorage({ client, schema, clock });

try {
  const panel = await storage.panels.create({
    kind: 'marzban',
    name: 'bench',
    baseUrl: 'https://bench.example.com',
    credentials: { type: 'token', token: 't' },
  });
  const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'bench', protocol: 'vless' });
  const plan = await storage.plans.create({
    name: 'bench',
    family: 'bench',
    price: { amount: 1, currency: 'USD' },
    durationDays: 30,
    trafficBytes: null,
  });
  const customer = await storage.customers.create({ email: 'bench@example.com' });
  const now = clock.now().toISOString();
  await client.query(
    `INSERT INTO "${schema}".subscriptions (id, customer_id, plan_id, panel_id, target_id, status, status_changed_at, remote, traffic_limit_bytes,
       expires_at, duration_days, start_on_first_use, share_links, auto_renew, trial, notices, revision, created_at, updated_at)
     SELECT 'sub_' || lpad(g::text, 8, '0'), $1, $2, $3, $4, 'active', $5::timestamptz,
       jsonb_build_object('username', 'pk_' || g, 'uuid', '00000000-0000-4000-8000-000000000000', 'password', 'passwordpassword0',
         'subId', 'abcdefghijklmnop', 'ssKey', repeat('a', 44), 'generation', 0),
       107374182400, $5::timestamptz + interval '30 days', 30, false, '[]', false, false, '[]', 0, $5::timestamptz, $5::timestamptz
     FROM generate_series(1, $6::integer) AS g`,
    [customer.id, plan.id, panel.id, target.id, now, count],
  );
  await client.query(`ANALYZE "${schema}".subscriptions`);
  const ids = Array.from({ length: count }, (_, i) => `sub_${String(i + 1).padStart(8, '0')}`);
  const readingsAt = (minutes: number): UsageReading[] => {
    const observedAt = new Date(clock.now().getTime() + minutes * 60_000);
    return ids.map((subscriptionId, i) => ({ subscriptionId, usedBytes: 1_000_000 + i, observedAt }));
  };

  const bulk = readingsAt(1);
  let started = performance.now();
  let applied = 0;
  for (let i = 0; i < bulk.length; i += pageSize) applied += (await storage.subscriptions.recordUsage(bulk.slice(i, i + pageSize))).applied;
  const bulkMs = performance.now() - started;
  if (applied !== count) throw new Error(`bulk applied ${applied} of ${count}`);

  const single = readingsAt(2);
  started = performance.now();
  applied = 0;
  for (const reading of single) applied += (await storage.subscriptions.recordUsage([reading])).applied;
  const singleMs = performance.now() - started;
  if (applied !== count) throw new Error(`row by row applied ${applied} of ${count}`);

  const rate = (ms: number) => Math.round(count / (ms / 1000)).toLocaleString('en-US');
  console.log(`pg-usage-write (${driver}): ${count.toLocaleString('en-US')} readings`);
  console.log(`  bulk, pages of ${pageSize}: ${bulkMs.toFixed(0)} ms  (${rate(bulkMs)} readings/s)`);
  console.log(`  row by row (baseline):     ${singleMs.toFixed(0)} ms  (${rate(singleMs)} readings/s)`);
  console.log(`  bulk is ${(singleMs / bulkMs).toFixed(1)}x faster`);
} finally {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await close();
}
