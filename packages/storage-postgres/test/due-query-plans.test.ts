import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk';
import type { DueQuery, StoragePort } from '@panelkit/sdk';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';

const DAY = 86_400_000;
const ROWS = 20_000;
const DUE = 50;

/**
 * The due-queries read their index, not the table: on 20 000 subscriptions with 50 due, the plan
 * of the exact statement the storage runs scans the query's own index and never the table.
 * (Timing across sizes is in bench/pg-due-query.)
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(`due-query plans${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`, () => {
  let pool: pg.Pool;
  let schema: string;
  let storage: StoragePort;
  const recorded: { text: string; params: readonly unknown[] }[] = [];
  const clock = new ManualClock();
  const now = clock.now();

  beforeAll(async () => {
    pool = newPool(2);
    const base = fromPgPool(pool);
    schema = uniqueSchema();
    await migrate(base, { schema, clock });
    const seeder = createPostgresStorage({ client: base, schema, clock });
    const panel = await seeder.panels.create({ kind: 'marzban', name: 'p', baseUrl: 'https://p.example.com', credentials: { type: 'token', token: 't' } });
    const target = await seeder.targets.create({ panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless' });
    const plan = await seeder.plans.create({ name: 'plan', family: 'f', price: { amount: 1, currency: 'USD' }, durationDays: 30, trafficBytes: null });
    const customer = await seeder.customers.create({ email: 'c@example.com' });
    await base.query(
      `INSERT INTO "${schema}".subscriptions (id, customer_id, plan_id, panel_id, target_id, status, status_changed_at, remote,
         traffic_limit_bytes, used_bytes, expires_at, duration_days, start_on_first_use, share_links, auto_renew, trial, notices, revision, created_at, updated_at)
       SELECT 'sub_' || lpad(g::text, 8, '0'), $1, $2, $3, $4,
         CASE WHEN g <= 2 * $6 THEN 'active' WHEN g <= 3 * $6 THEN 'on_hold' WHEN g <= 4 * $6 THEN 'suspended'
              WHEN g % 10 = 0 THEN 'suspended' WHEN g % 10 = 1 THEN 'on_hold' ELSE 'active' END,
         CASE WHEN g > 3 * $6 AND g <= 4 * $6 THEN $5::timestamptz - interval '30 days' ELSE $5::timestamptz END,
         jsonb_build_object('username', 'pk_' || g, 'uuid', '00000000-0000-4000-8000-000000000000', 'password', 'passwordpassword0',
           'subId', 'abcdefghijklmnop', 'ssKey', repeat('a', 44), 'generation', 0),
         1000, CASE WHEN g > $6 AND g <= 2 * $6 THEN 2000 WHEN g > 2 * $6 AND g <= 3 * $6 THEN 10 ELSE 0 END,
         CASE WHEN g <= $6 THEN $5::timestamptz + interval '1 hour' ELSE $5::timestamptz + (10 + g % 300) * interval '1 day' END,
         30, false, '[]', false, false, '[]', 0, $5::timestamptz, $5::timestamptz
       FROM generate_series(1, $7::integer) AS g`,
      [customer.id, plan.id, panel.id, target.id, now.toISOString(), DUE, ROWS],
    );
    await base.query(`VACUUM ANALYZE "${schema}".subscriptions`);
    const recording: SqlClient = {
      concurrent: true,
      query: (text, params) => {
        recorded.push({ text, params: params ?? [] });
        return base.query(text, params);
      },
      transaction: (fn) => base.transaction(fn),
    };
    storage = createPostgresStorage({ client: recording, schema, clock });
  }, 120_000);

  afterAll(async () => {
    await dropSchema(fromPgPool(pool), schema);
    await pool.end();
  });

  const cases: [string, DueQuery, string][] = [
    ['expiring', { kind: 'expiring', statuses: ['active', 'on_hold', 'limited'], to: new Date(now.getTime() + DAY) }, 'subscriptions_expiring_idx'],
    ['over_limit', { kind: 'over_limit' }, 'subscriptions_over_limit_idx'],
    ['first_use', { kind: 'first_use' }, 'subscriptions_first_use_idx'],
    ['stale_status', { kind: 'stale_status', statuses: ['suspended', 'expired'], before: new Date(now.getTime() - 7 * DAY) }, 'subscriptions_status_since_idx'],
  ];

  it.each(cases)('%s scans its index, never the table', async (_name, query, index) => {
    recorded.length = 0;
    const page = await storage.subscriptions.listDue(query, { limit: 1000 });
    expect(page.items).toHaveLength(DUE);
    const statement = recorded.at(-1)!;
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, [...statement.params]);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain(index);
    expect(plan).not.toMatch(/Seq Scan/);
  });
});
