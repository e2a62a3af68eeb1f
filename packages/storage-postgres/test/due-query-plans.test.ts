import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import type { DueQuery, StoragePort } from '@panelkit/sdk/storage';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import { dueQueries, recordingClient, seedDueSubscriptions } from './due-fixture.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';

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
    await seedDueSubscriptions(base, schema, clock, { rows: ROWS, due: DUE });
    storage = createPostgresStorage({ client: recordingClient(base, recorded), schema, clock });
  }, 120_000);

  afterAll(async () => {
    await dropSchema(fromPgPool(pool), schema);
    await pool.end();
  });

  const queries = dueQueries(now);
  const cases: [string, DueQuery, string][] = [
    ['expiring', queries.expiring, 'subscriptions_expiring_idx'],
    ['over_limit', queries.over_limit, 'subscriptions_over_limit_idx'],
    ['first_use', queries.first_use, 'subscriptions_first_use_idx'],
    ['stale_status', queries.stale_status, 'subscriptions_status_since_idx'],
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
