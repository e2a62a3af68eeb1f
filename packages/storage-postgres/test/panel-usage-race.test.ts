import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import type { StoragePort } from '@panelkit/sdk/storage';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { seedDueSubscriptions } from './due-fixture.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { type TakenSchema, takeMigratedSchema } from './support/schema-pool.js';

const ROWS = 600;
const MINUTE = 60_000;

/**
 * `recordPanelUsage` writes without locking the rows first: when another writer stored a newer reading
 * while this statement waited for the row, the update must judge the row as it is now, not as its
 * snapshot saw it, or an older reading overwrites a newer one.
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `panel usage written concurrently${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    let pool: pg.Pool;
    let schema: string;
    let taken: TakenSchema;
    let storage: StoragePort;
    let panelId: string;
    const clock = new ManualClock();
    const names = Array.from({ length: 500 }, (_, i) => `pk_${ROWS - i}`);

    beforeAll(async () => {
      pool = newPool(4);
      const base = fromPgPool(pool);
      taken = await takeMigratedSchema(base, { clock });
      schema = taken.schema;
      await seedDueSubscriptions(base, schema, clock, { rows: ROWS, due: 10 });
      storage = createPostgresStorage({ client: base, schema, clock });
      const { rows } = await pool.query(`SELECT panel_id FROM "${schema}".subscriptions LIMIT 1`);
      panelId = String(rows[0]!['panel_id']);
    }, 120_000);

    afterAll(async () => {
      await taken.giveBack();
      await pool.end();
    });

    /** Resolves once a backend waits on a row lock in an usage statement. */
    async function someoneWaits(): Promise<void> {
      for (;;) {
        const { rows } = await pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%WITH matched AS%'`,
        );
        if (Number(rows[0]!['n']) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    it('an older reading that waited for a newer one’s lock does not overwrite it', async () => {
      const older = new Date(clock.now().getTime() + MINUTE);
      const newer = new Date(clock.now().getTime() + 2 * MINUTE);
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let written!: () => void;
      const newerWritten = new Promise<void>((resolve) => {
        written = resolve;
      });
      // The newer reading is written first, in a transaction that keeps the rows locked until released.
      const first = storage.transaction(async (tx) => {
        const r = await tx.subscriptions.recordPanelUsage(
          panelId,
          names.map((username) => ({ username, usedBytes: 2_000 })),
          { observedAt: newer, watchPercent: null },
        );
        written();
        await held;
        return r;
      });
      await newerWritten;
      // The older one starts now: its snapshot sees no reading yet, then it waits for the rows.
      const second = storage.subscriptions.recordPanelUsage(
        panelId,
        names.map((username) => ({ username, usedBytes: 1_000 })),
        { observedAt: older, watchPercent: null },
      );
      await someoneWaits();
      release();
      const [a, b] = await Promise.all([first, second]);
      expect(a.matched).toBe(names.length);
      expect(a.applied).toBe(names.length);
      expect(b).toMatchObject({ matched: names.length, applied: 0 });
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM "${schema}".subscriptions
          WHERE panel_id = $1 AND remote_username = ANY($2::text[]) AND used_bytes = 2000 AND usage_observed_at = $3`,
        [panelId, names, newer.toISOString()],
      );
      expect(rows[0]!['n']).toBe(names.length);
    }, 60_000);
  },
);
