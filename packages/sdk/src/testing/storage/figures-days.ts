import { describe, expect, it } from 'vitest';
import type { FigureBucketMetric, FigureCell } from '../../rules/figures/cells.js';
import { seedCustomer } from './fixtures.js';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

const day = (d: number, metric: FigureBucketMetric, currency: string, value: number): FigureCell => ({
  table: 'days',
  day: d,
  metric,
  currency,
  value,
});

/**
 * The figures' `days` rollup (storage port 34): the daily sales per day of the figures' zone, `yyyymmdd`, which the
 * fold applies and stores in a buyer's contribution like every other table, and `kit.salesFigures` reads by range.
 */
export function figureDaysSuite(env: SuiteEnv): void {
  describe('figures: the days rollup (port 34)', () => {
    const applied = [
      day(20240131, 'net_sales', 'USD', 500),
      day(20240201, 'net_sales', 'USD', 1200),
      day(20240201, 'sales_entries', 'USD', 2),
      day(20240201, 'paid_orders', '', 2),
      day(20240229, 'in_service_delta', '', 3),
      day(20240301, 'net_sales', 'EUR', 70),
      day(20241231, 'new_subscriptions', '', 1),
    ];

    it('cells reads a range of days, both ends included, ordered by key (day, currency, metric), sums of 0 left out, apart from the buckets', async () => {
      const { storage } = env;
      await storage.figures.apply(applied);
      // A refund that brings EUR on 1 March back to 0, and a bucket whose number lies in the days' range.
      await storage.figures.apply([
        day(20240301, 'net_sales', 'EUR', -70),
        day(20240201, 'net_sales', 'USD', -200),
        { table: 'buckets', bucket: 20240201, currency: '', metric: 'paid_orders', value: 1 },
      ]);
      expect(await storage.figures.cells({ table: 'days', fromDay: 20240201, toDay: 20240301 })).toEqual([
        day(20240201, 'paid_orders', '', 2),
        day(20240201, 'net_sales', 'USD', 1000),
        day(20240201, 'sales_entries', 'USD', 2),
        day(20240229, 'in_service_delta', '', 3),
      ]);
      expect(await storage.figures.cells({ table: 'days', fromDay: 20240131, toDay: 20240131 })).toEqual([applied[0]]);
      expect(await storage.figures.cells({ table: 'days', fromDay: 20250101, toDay: 20251231 })).toEqual([]);
      expect(await storage.figures.cells({ table: 'buckets', fromBucket: 20240101, toBucket: 20241231 })).toEqual([
        { table: 'buckets', bucket: 20240201, currency: '', metric: 'paid_orders', value: 1 },
      ]);
    });

    it('refuses a day that is not a real yyyymmdd, in a cell or a query, and writes nothing', async () => {
      const { storage } = env;
      for (const bad of [20240230, 20241301, 19691230, 2024021, 20240201.5]) {
        await expectRejects(storage.figures.apply([applied[1]!, { ...applied[0]!, day: bad } as FigureCell]), 'ValidationError');
        await expectRejects(storage.figures.cells({ table: 'days', fromDay: bad, toDay: 20241231 }), 'ValidationError');
      }
      expect(await storage.figures.cells({ table: 'days', fromDay: 19691231, toDay: 99991231 })).toEqual([]);
    });

    it('a folded contribution keeps its days cells, and clear empties the days with the other rollups', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const cells = [applied[0]!, applied[3]!];
      await storage.figures.putBuyers([{ customerId: customer.id, definitionsVersion: 3, cells }]);
      await storage.figures.apply(applied);
      const [held] = await storage.transaction((tx) => tx.figures.lockBuyers([customer.id]));
      expect(held).toEqual({ customerId: customer.id, definitionsVersion: 3, cells });
      await storage.figures.clear();
      expect(await storage.figures.cells({ table: 'days', fromDay: 19691231, toDay: 99991231 })).toEqual([]);
    });
  });
}
