import { describe, expect, it } from 'vitest';
import { type FigureCell, figureCellKey } from '../../rules/figures/cells.js';
import { type FigureMeta, MAX_FIGURE_BUYERS_PER_CALL } from '../../ports/storage-figures.js';
import { seedCustomer } from './fixtures.js';
import { figureCheckpointsSuite } from './figures-checkpoints.js';
import { figureDaysSuite } from './figures-days.js';
import { figureLocksSuite } from './figures-locks.js';
import { drainFigureInbox, figureMarksSuite } from './figures-marks.js';
import { figureSourcesSuite } from './figures-sources.js';
import { expectRejects, sortIds } from './support.js';
import type { SuiteEnv } from './support.js';

const cohort = (scope: string, c: number, age: number, value: number): FigureCell => ({ table: 'cohorts', scope, cohort: c, age, value });
const bucket = (b: number, metric: 'net_sales' | 'paid_orders' | 'in_service_delta', currency: string, value: number): FigureCell => ({
  table: 'buckets',
  bucket: b,
  metric,
  currency,
  value,
});
const byKey = (cells: readonly FigureCell[]) => [...cells].sort((x, y) => (figureCellKey(x) < figureCellKey(y) ? -1 : 1));

async function seedCustomers(env: SuiteEnv, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await seedCustomer(env.storage)).id);
  return sortIds(ids);
}

/** Storage port 29: the figures' inbox, folded contributions and rollups; marks, sources and locks are their own files. */
export function figuresSuite(env: SuiteEnv): void {
  figureMarksSuite(env);
  figureSourcesSuite(env);
  figureLocksSuite(env);
  figureCheckpointsSuite(env);
  figureDaysSuite(env);

  describe('figures: inbox, folded buyers and rollups (port 29)', () => {
    it('take removes up to limit rows oldest first and returns their ids distinct, in id order; pending counts rows', async () => {
      const { storage } = env;
      const [a, b, c] = (await seedCustomers(env, 3)) as [string, string, string];
      await drainFigureInbox(storage);
      await storage.figures.mark([c]);
      await storage.figures.mark([a]);
      await storage.figures.mark([c]);
      await storage.figures.mark([b]);
      expect(await storage.figures.pending()).toBe(4);
      expect(await storage.figures.take(2)).toEqual([a, c]);
      expect(await storage.figures.pending()).toBe(2);
      expect(await storage.figures.take(MAX_FIGURE_BUYERS_PER_CALL)).toEqual([b, c]);
      expect(await storage.figures.take(1)).toEqual([]);
      expect(await storage.figures.pending()).toBe(0);
    });

    it('a transaction that took rows and rolled back leaves them in the inbox', async () => {
      const { storage } = env;
      const [a, b] = (await seedCustomers(env, 2)) as [string, string];
      await drainFigureInbox(storage);
      await storage.figures.mark([a, b]);
      const failed = storage.transaction(async (tx) => {
        expect(await tx.figures.take(10)).toEqual([a, b]);
        throw new Error('roll back');
      });
      await expect(failed).rejects.toThrow('roll back');
      expect(await storage.figures.pending()).toBe(2);
      expect(await storage.figures.take(10)).toEqual([a, b]);
    });

    it('lockBuyers gives empty state for a customer never folded and the stored one after putBuyers, one per id in id order', async () => {
      const { storage } = env;
      const [a, b] = (await seedCustomers(env, 2)) as [string, string];
      expect(await storage.figures.lockBuyers([b, a, b])).toEqual([
        { customerId: a, definitionsVersion: 0, cells: [] },
        { customerId: b, definitionsVersion: 0, cells: [] },
      ]);
      const cells = [cohort('*', 202401, 0, 1), cohort('*', 202401, 1, 1)];
      await storage.transaction(async (tx) => {
        await tx.figures.lockBuyers([b]);
        await tx.figures.putBuyers([{ customerId: b, definitionsVersion: 1, cells }]);
      });
      expect(await storage.figures.lockBuyers([a, b])).toEqual([
        { customerId: a, definitionsVersion: 0, cells: [] },
        { customerId: b, definitionsVersion: 1, cells },
      ]);
      await storage.figures.putBuyers([{ customerId: b, definitionsVersion: 2, cells: [] }]);
      expect(await storage.figures.lockBuyers([b])).toEqual([{ customerId: b, definitionsVersion: 2, cells: [] }]);
      await expectRejects(storage.figures.lockBuyers([a, 'cus_missing']), 'NotFoundError');
      await expectRejects(storage.figures.mark(['cus_missing']), 'NotFoundError');
    });

    it('apply adds signed values per key; a row back at zero vanishes from cells', async () => {
      const { storage } = env;
      await storage.figures.apply([cohort('*', 202401, 0, 3), cohort('*', 202401, 0, 2), cohort('*', 202401, 1, 1)]);
      await storage.figures.apply([cohort('*', 202401, 0, -4), cohort('*', 202401, 1, -1), cohort('*', 202402, 0, -2)]);
      expect(await storage.figures.cells({ table: 'cohorts', scope: '*', fromCohort: 202401, toCohort: 202402 })).toEqual([
        cohort('*', 202401, 0, 1),
        cohort('*', 202402, 0, -2),
      ]);
    });

    it('cells filters by table, scope and range (both ends included) and orders by figureCellKey', async () => {
      const { storage } = env;
      const months: FigureCell[] = [
        { table: 'months', scope: '*', month: 202403, metric: 'lapsed', key: '', currency: '', value: 2 },
        { table: 'months', scope: '*', month: 202401, metric: 'net_sales', key: '', currency: 'USD', value: 500 },
        { table: 'months', scope: '*', month: 202401, metric: 'net_sales', key: '', currency: 'EUR', value: 400 },
        { table: 'months', scope: '*', month: 202401, metric: 'first_buyers', key: '', currency: '', value: 1 },
        { table: 'months', scope: 'sf:sto_1', month: 202402, metric: 'lapsed', key: '', currency: '', value: 1 },
        { table: 'months', scope: '*', month: 202404, metric: 'lapsed', key: '', currency: '', value: 9 },
      ];
      const others: FigureCell[] = [
        { table: 'lapses', scope: '*', month: 202402, planId: 'pln_b', panelId: 'pnl_1', value: 1 },
        { table: 'lapses', scope: '*', month: 202402, planId: 'pln_a', panelId: 'pnl_1', value: 1 },
        { table: 'cash', month: 202402, providerId: 'card', currency: 'USD', flow: 'credited', value: 900 },
        { table: 'cash', month: 202405, providerId: 'card', currency: 'USD', flow: 'credited', value: 100 },
        { table: 'cohort_revenue', scope: 'src:organic', cohort: 202401, month: 202402, currency: 'USD', value: 70 },
        cohort('src:organic', 202401, 0, 1),
        bucket(1_900_000, 'paid_orders', '', 1),
        bucket(1_900_002, 'paid_orders', '', 1),
      ];
      await storage.figures.apply([...months, ...others]);
      expect(await storage.figures.cells({ table: 'months', scope: '*', fromMonth: 202401, toMonth: 202403 })).toEqual(
        byKey(months.filter((m) => m.table === 'months' && m.scope === '*' && m.month <= 202403)),
      );
      expect(
        await storage.figures.cells({
          table: 'months',
          scope: '*',
          fromMonth: 202401,
          toMonth: 202412,
          metrics: ['lapsed', 'first_buyers'],
        }),
      ).toEqual(byKey([months[3]!, months[0]!, months[5]!]));
      expect(await storage.figures.cells({ table: 'lapses', scope: '*', fromMonth: 202402, toMonth: 202402 })).toEqual([
        others[1],
        others[0],
      ]);
      expect(await storage.figures.cells({ table: 'lapses', scope: 'sf:sto_1', fromMonth: 202401, toMonth: 202412 })).toEqual([]);
      expect(await storage.figures.cells({ table: 'cash', fromMonth: 202401, toMonth: 202404 })).toEqual([others[2]]);
      expect(await storage.figures.cells({ table: 'cohort_revenue', scope: 'src:organic', fromCohort: 202401, toCohort: 202401 })).toEqual([
        others[4],
      ]);
      expect(await storage.figures.cells({ table: 'cohorts', scope: 'src:organic', fromCohort: 202312, toCohort: 202401 })).toEqual([
        others[5],
      ]);
      expect(await storage.figures.cells({ table: 'buckets', fromBucket: 1_900_001, toBucket: 1_900_002 })).toEqual([others[7]]);
    });

    it('bucketTotals sums every bucket before the one given, per metric and currency, as cells of the bucket before it', async () => {
      const { storage } = env;
      await storage.figures.apply([
        bucket(100, 'net_sales', 'USD', 500),
        bucket(150, 'net_sales', 'USD', -200),
        bucket(150, 'net_sales', 'EUR', 70),
        bucket(160, 'paid_orders', '', 2),
        bucket(170, 'net_sales', 'EUR', -70),
        bucket(200, 'net_sales', 'USD', 1000),
      ]);
      expect(await storage.figures.bucketTotals(200)).toEqual(
        byKey([bucket(199, 'net_sales', 'USD', 300), bucket(199, 'paid_orders', '', 2)]),
      );
      expect(await storage.figures.bucketTotals(160)).toEqual(
        byKey([bucket(159, 'net_sales', 'USD', 300), bucket(159, 'net_sales', 'EUR', 70)]),
      );
      expect(await storage.figures.bucketTotals(100)).toEqual([]);
    });

    it('bucketSums sums each span per metric and currency as cells of its first bucket, leaving out zeros and gaps (port 32)', async () => {
      const { storage } = env;
      await storage.figures.apply([
        bucket(7, 'net_sales', 'USD', 1),
        bucket(10, 'net_sales', 'USD', 500),
        bucket(11, 'net_sales', 'USD', -200),
        bucket(12, 'paid_orders', '', 2),
        bucket(13, 'net_sales', 'EUR', 70),
        bucket(14, 'net_sales', 'EUR', -70),
        bucket(20, 'net_sales', 'USD', 1000),
        bucket(96, 'in_service_delta', '', 3),
        bucket(99, 'in_service_delta', '', -1),
      ]);
      // Spans [10, 20), [20, 30), [96, 100): bucket 7 lies before the first, EUR nets to 0.
      expect(
        await storage.figures.bucketSums([
          { first: 10, end: 20 },
          { first: 20, end: 30 },
          { first: 96, end: 100 },
        ]),
      ).toEqual(
        byKey([
          bucket(10, 'net_sales', 'USD', 300),
          bucket(10, 'paid_orders', '', 2),
          bucket(20, 'net_sales', 'USD', 1000),
          bucket(96, 'in_service_delta', '', 2),
        ]),
      );
      expect(await storage.figures.bucketSums([])).toEqual([]);
      for (const spans of [
        [{ first: 5, end: 5 }],
        [
          { first: 10, end: 20 },
          { first: 15, end: 25 },
        ],
        [{ first: -1, end: 2 }],
      ]) {
        await expectRejects(storage.figures.bucketSums(spans), 'ValidationError');
      }
    });

    it('meta is null before it is set and reads back what was set; clear empties rollups and folded state, not the inbox or meta', async () => {
      const { storage } = env;
      expect(await storage.figures.meta()).toBeNull();
      const meta: FigureMeta = {
        timeZone: 'Asia/Tehran',
        calendar: 'jalali',
        definitionsVersion: 1,
        foldedAt: new Date('2026-05-01T10:00:00Z'),
        rebuildCursor: '',
      };
      await storage.figures.setMeta(meta);
      expect(await storage.figures.meta()).toEqual(meta);
      await storage.figures.setMeta({ ...meta, foldedAt: null, rebuildCursor: null });
      expect(await storage.figures.meta()).toEqual({ ...meta, foldedAt: null, rebuildCursor: null });
      const [a] = (await seedCustomers(env, 1)) as [string];
      await drainFigureInbox(storage);
      await storage.figures.mark([a]);
      await storage.figures.apply([cohort('*', 202401, 0, 1), bucket(5, 'paid_orders', '', 1)]);
      await storage.figures.putBuyers([{ customerId: a, definitionsVersion: 1, cells: [cohort('*', 202401, 0, 1)] }]);
      await storage.figures.clear();
      expect(await storage.figures.cells({ table: 'cohorts', scope: '*', fromCohort: 202401, toCohort: 202401 })).toEqual([]);
      expect(await storage.figures.bucketTotals(10)).toEqual([]);
      expect(await storage.figures.lockBuyers([a])).toEqual([{ customerId: a, definitionsVersion: 0, cells: [] }]);
      expect(await storage.figures.pending()).toBe(1);
      expect(await storage.figures.meta()).toEqual({ ...meta, foldedAt: null, rebuildCursor: null });
    });

    it('markAll pages every customer exactly once, in id order, and returns null past the last', async () => {
      const { storage } = env;
      const ids = await seedCustomers(env, 5);
      await drainFigureInbox(storage);
      const pages: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const last: string | null = await storage.figures.markAll(cursor, 2);
        if (last !== null) pages.push(last);
        cursor = last;
      }
      expect(pages).toEqual([ids[1], ids[3], ids[4]]);
      expect(await storage.figures.pending()).toBe(5);
      expect(await drainFigureInbox(storage)).toEqual(ids);
    });

    it('bad input is a ValidationError and writes nothing', async () => {
      const { storage } = env;
      const [a] = (await seedCustomers(env, 1)) as [string];
      await drainFigureInbox(storage);
      const good = cohort('*', 202401, 0, 1);
      const bad: unknown[] = [
        { ...good, cohort: 202413 },
        { ...good, age: -1 },
        { ...good, value: 1.5 },
        { ...good, scope: '' },
        { ...good, table: 'nope' },
        { table: 'months', scope: '*', month: 202401, metric: 'nope', key: '', currency: '', value: 1 },
        { table: 'cash', month: 202401, providerId: 'card', currency: 'usd', flow: 'credited', value: 1 },
        { table: 'buckets', bucket: -1, metric: 'paid_orders', currency: '', value: 1 },
      ];
      for (const cell of bad) await expectRejects(storage.figures.apply([good, cell as FigureCell]), 'ValidationError');
      expect(await storage.figures.cells({ table: 'cohorts', scope: '*', fromCohort: 202401, toCohort: 202401 })).toEqual([]);
      const tooMany = Array.from({ length: MAX_FIGURE_BUYERS_PER_CALL + 1 }, () => a);
      await expectRejects(storage.figures.mark(tooMany), 'ValidationError');
      await expectRejects(storage.figures.take(0), 'ValidationError');
      await expectRejects(storage.figures.markAll('', 0), 'ValidationError');
      expect(await storage.figures.pending()).toBe(0);
      await expectRejects(
        storage.figures.putBuyers([{ customerId: a, definitionsVersion: 1, cells: [bad[0] as FigureCell] }]),
        'ValidationError',
      );
      expect(await storage.figures.lockBuyers([a])).toEqual([{ customerId: a, definitionsVersion: 0, cells: [] }]);
      const query = { table: 'cohorts', scope: '*', fromCohort: 202401, toCohort: 2024 } as const;
      await expectRejects(storage.figures.cells(query), 'ValidationError');
      const meta = { timeZone: 'Mars/Olympus', calendar: 'gregorian', definitionsVersion: 1, foldedAt: null, rebuildCursor: null } as const;
      await expectRejects(storage.figures.setMeta(meta), 'ValidationError');
      await expectRejects(storage.figures.setMeta({ ...meta, timeZone: 'UTC', calendar: 'julian' as 'gregorian' }), 'ValidationError');
      expect(await storage.figures.meta()).toBeNull();
    });
  });
}
