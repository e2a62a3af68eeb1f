import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import type { StoragePort } from '@panelkit/sdk/storage';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate } from '../src/index.js';
import { recordingClient, seedDueSubscriptions } from './due-fixture.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';

const ROWS = 20_000;
const DEVICES_EACH = 3;

/**
 * `devices.countSeen` (the guard's registry reading, storage port 33) is served by the `(subscription_id, hwid)` unique
 * index, with no index of its own on `last_seen_at` (which would make every app refresh's write non-HOT): the exact
 * statement the storage runs for 1 000 subscriptions can be planned without a table scan. Which plan wins depends on
 * the table's size (on 60 000 devices a sequential scan is cheaper; on 300 000 spread ones a bitmap scan of that index
 * took 11 to 23 ms here), so the test forbids sequential scans and checks that the index is what remains.
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `devices.countSeen plan${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    let pool: pg.Pool;
    let schema: string;
    let storage: StoragePort;
    const recorded: { text: string; params: readonly unknown[] }[] = [];
    const clock = new ManualClock();

    beforeAll(async () => {
      pool = newPool(2);
      const base = fromPgPool(pool);
      schema = uniqueSchema();
      await migrate(base, { schema, clock });
      await seedDueSubscriptions(base, schema, clock, { rows: ROWS, due: 0 });
      // Devices seen over the last two hours, a few a subscription.
      await base.query(
        `INSERT INTO "${schema}".devices (id, subscription_id, hwid, first_seen_at, last_seen_at)
         SELECT 'dev_' || s.id || '_' || g, s.id, 'hw-' || g, $1::timestamptz - interval '2 hours',
           $1::timestamptz - (g * 40) * interval '1 minute'
           FROM "${schema}".subscriptions s, generate_series(1, ${DEVICES_EACH}) g`,
        [clock.now().toISOString()],
      );
      await base.query(`ANALYZE "${schema}".devices`);
      storage = createPostgresStorage({ client: recordingClient(base, recorded), schema, clock });
    }, 120_000);

    afterAll(async () => {
      await dropSchema(fromPgPool(pool), schema);
      await pool.end();
    });

    it('counts 1 000 subscriptions in one statement, which the unique index serves without a table scan', async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => `sub_${String(i * 7 + 1).padStart(8, '0')}`);
      recorded.length = 0;
      const counts = await storage.devices.countSeen(ids, new Date(clock.now().getTime() - 90 * 60_000));
      // Devices seen 40 and 80 minutes ago count; the one seen 120 minutes ago does not.
      expect(counts).toHaveLength(1000);
      expect(new Set(counts.map((c) => c.devices))).toEqual(new Set([2]));
      expect(recorded).toHaveLength(1);
      const statement = recorded[0]!;
      const client = await pool.connect();
      let plan: string;
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, [...statement.params]);
        plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
      expect(plan).toContain('devices_subscription_id_hwid_key');
      expect(plan).not.toMatch(/Seq Scan/);
    });
  },
);
