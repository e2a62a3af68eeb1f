import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import type { StoragePort } from '@panelkit/sdk/storage';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool, migrate, transactionSql } from '../src/index.js';
import { seedDueSubscriptions } from './due-fixture.js';
import { SKIP_REAL_SERVER, dropSchema, newPool, uniqueSchema } from './helpers.js';

const ROWS = 4_000;
const DUE = 50;
const id = (n: number) => `sub_${String(n).padStart(8, '0')}`;

/**
 * A usage reading is a heap-only update: it changes no indexed value (the due-queries' partial indexes
 * read flags a trigger keeps, not `used_bytes`), and the table leaves room on its pages. Counted with
 * PostgreSQL's own per-transaction counters for the table, in the transaction that wrote the readings.
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `heap-only usage writes${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    let pool: pg.Pool;
    let schema: string;
    let storage: StoragePort;
    const clock = new ManualClock();

    beforeAll(async () => {
      pool = newPool(2);
      const base = fromPgPool(pool);
      schema = uniqueSchema();
      await migrate(base, { schema, clock });
      // Rows 1..50 are due to expire, 51..100 over their limit, 101..150 on hold with traffic; the rest active with
      // a 1000-byte limit and nothing used, or on hold unused (every tenth and one).
      await seedDueSubscriptions(base, schema, clock, { rows: ROWS, due: DUE });
      storage = createPostgresStorage({ client: base, schema, clock });
    }, 120_000);

    afterAll(async () => {
      await dropSchema(fromPgPool(pool), schema);
      await pool.end();
    });

    /** Records the readings in one transaction and returns the rows it updated in the table, and how many of them heap-only. */
    async function record(readings: { n: number; usedBytes: number }[]): Promise<{ updated: number; hot: number }> {
      const observedAt = clock.advance(60_000);
      return storage.transaction(async (tx) => {
        // The backend's counters for the table (they also hold its earlier transactions not yet reported): read around the write.
        const counters = async () => {
          const { rows } = await transactionSql(tx).query(
            `SELECT pg_stat_get_xact_tuples_updated($1::regclass) AS updated, pg_stat_get_xact_tuples_hot_updated($1::regclass) AS hot`,
            [`"${schema}".subscriptions`],
          );
          return { updated: Number(rows[0]!['updated']), hot: Number(rows[0]!['hot']) };
        };
        const before = await counters();
        await tx.subscriptions.recordUsage(readings.map((r) => ({ subscriptionId: id(r.n), usedBytes: r.usedBytes, observedAt })));
        const after = await counters();
        return { updated: after.updated - before.updated, hot: after.hot - before.hot };
      });
    }

    it('writes a reading that crosses nothing without touching an index, where its page has room', async () => {
      // One active row with traffic left per page (the first on each), so every page has room for its new version.
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM "${schema}".subscriptions
        WHERE (ctid::text::point)[1] = 1 AND status = 'active' AND used_bytes = 0 AND id > $1 ORDER BY id`,
        [id(4 * DUE)],
      );
      const ids = rows.map((r) => Number(r.id.slice(4)));
      expect(ids.length).toBeGreaterThan(10);
      const counted = await record(ids.map((n) => ({ n, usedBytes: 400 })));
      expect(counted).toEqual({ updated: ids.length, hot: ids.length });
      // A second reading of the same rows: their pages now hold the first one's version too, and still have room.
      const again = await record(ids.map((n) => ({ n, usedBytes: 600 })));
      expect(again).toEqual({ updated: ids.length, hot: ids.length });
    });

    it('still finds a subscription whose reading crosses its limit, or ends its wait for first use', async () => {
      const before = await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 1000 });
      const waiting = await storage.subscriptions.listDue({ kind: 'first_use' }, { limit: 1000 });
      expect(before.items).toHaveLength(DUE);
      expect(waiting.items).toHaveLength(DUE);
      // 1302 is active with a 1000-byte limit; 1301 is on hold (n % 10 === 1) and unused.
      await record([
        { n: 1302, usedBytes: 1000 },
        { n: 1301, usedBytes: 1 },
      ]);
      const over = await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 1000 });
      const used = await storage.subscriptions.listDue({ kind: 'first_use' }, { limit: 1000 });
      expect(over.items.map((s) => s.id)).toContain(id(1302));
      expect(over.items).toHaveLength(DUE + 1);
      expect(used.items.map((s) => s.id)).toContain(id(1301));
      expect(used.items).toHaveLength(DUE + 1);
    });

    it('keeps the flags right when a limit, a status or the usage changes through an update', async () => {
      const sub = (await storage.subscriptions.get(id(1402)))!;
      await storage.subscriptions.update(sub.id, { trafficLimitBytes: 100, usedBytes: 500 }, { expectedRevision: sub.revision });
      expect((await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 1000 })).items.map((s) => s.id)).toContain(sub.id);
      const raised = (await storage.subscriptions.get(sub.id))!;
      await storage.subscriptions.update(sub.id, { trafficLimitBytes: 10_000 }, { expectedRevision: raised.revision });
      expect((await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 1000 })).items.map((s) => s.id)).not.toContain(sub.id);
      const limited = (await storage.subscriptions.get(id(1412)))!;
      await storage.subscriptions.update(limited.id, { usedBytes: 5000 }, { expectedRevision: limited.revision });
      const over = (await storage.subscriptions.get(limited.id))!;
      expect((await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 1000 })).items.map((s) => s.id)).toContain(over.id);
      await storage.subscriptions.update(over.id, { status: 'limited' }, { expectedRevision: over.revision });
      expect((await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 1000 })).items.map((s) => s.id)).not.toContain(over.id);
    });
  },
);

/**
 * A whole usage cycle, every row once, on a table loaded since the table got its room (migration 13): every
 * write is heap-only. At the old `fillfactor` 85 a page had room for the new version of one row in five of
 * these, and the rest of the cycle wrote into every index.
 */
describe.skipIf(SKIP_REAL_SERVER !== false)(
  `a usage cycle over a loaded table${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`,
  () => {
    let pool: pg.Pool;
    let schema: string;
    const clock = new ManualClock();

    beforeAll(async () => {
      pool = newPool(2);
      schema = uniqueSchema();
      await migrate(fromPgPool(pool), { schema, clock });
      await seedDueSubscriptions(fromPgPool(pool), schema, clock, { rows: ROWS, due: DUE });
    }, 120_000);

    afterAll(async () => {
      await dropSchema(fromPgPool(pool), schema);
      await pool.end();
    });

    it('writes every reading of a cycle heap-only, page by page as the sync does', async () => {
      const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
      // The active rows that stay under their limit: a reading of theirs changes no due flag.
      const { rows } = await pool.query<{ panel_id: string; remote_username: string }>(
        `SELECT panel_id, remote_username FROM "${schema}".subscriptions
          WHERE status = 'active' AND used_bytes < traffic_limit_bytes ORDER BY remote_username`,
      );
      expect(rows.length).toBeGreaterThan(ROWS / 2);
      const observedAt = clock.advance(60_000);
      const counted = await storage.transaction(async (tx) => {
        const counters = async () => {
          const { rows: c } = await transactionSql(tx).query(
            `SELECT pg_stat_get_xact_tuples_updated($1::regclass) AS updated, pg_stat_get_xact_tuples_hot_updated($1::regclass) AS hot`,
            [`"${schema}".subscriptions`],
          );
          return { updated: Number(c[0]!['updated']), hot: Number(c[0]!['hot']) };
        };
        const before = await counters();
        for (let i = 0; i < rows.length; i += 500) {
          const page = rows.slice(i, i + 500);
          await tx.subscriptions.recordPanelUsage(
            page[0]!.panel_id,
            page.map((r) => ({ username: r.remote_username, usedBytes: 500 })),
            { observedAt, watchPercent: null },
          );
        }
        const after = await counters();
        return { updated: after.updated - before.updated, hot: after.hot - before.hot };
      });
      expect(counted).toEqual({ updated: rows.length, hot: rows.length });
    });
  },
);
