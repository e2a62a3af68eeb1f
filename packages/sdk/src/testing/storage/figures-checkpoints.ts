import { describe, expect, it } from 'vitest';
import { type FigureBucketMetric, type FigureCell, figureCellKey } from '../../rules/figures/cells.js';
import { FIGURE_BUCKET_CHECKPOINT_BUCKETS as N, figureBucketCheckpointStart } from '../../ports/storage-figures-checkpoints.js';
import { expectRejects } from './support.js';
import type { SuiteEnv } from './support.js';

/** The first bucket of a checkpoint in 2024, so the cases sit where a shop's buckets do. */
const S = figureBucketCheckpointStart(660);

const bucket = (b: number, metric: FigureBucketMetric, currency: string, value: number): FigureCell => ({
  table: 'buckets',
  bucket: b,
  metric,
  currency,
  value,
});

/** What `bucketTotals(before)` must give for `applied`, summed here cell by cell: the contract without checkpoints. */
function expectedTotals(applied: readonly FigureCell[], before: number): FigureCell[] {
  const sums = new Map<string, FigureCell>();
  for (const cell of applied) {
    if (cell.table !== 'buckets' || cell.bucket >= before) continue;
    const total: FigureCell = { ...cell, bucket: before - 1, value: 0 };
    const key = figureCellKey(total);
    sums.set(key, { ...total, value: (sums.get(key)?.value ?? 0) + cell.value });
  }
  return [...sums]
    .filter(([, c]) => c.value !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, c]) => c);
}

/** Buckets on both sides of every checkpoint edge from one before `S` to six after, and one inside each checkpoint. */
const PROBES = Array.from({ length: 8 }, (_, i) => S + (i - 1) * N).flatMap((edge) => [edge - 1, edge, edge + 1, edge + 1000]);

/**
 * `figures.bucketTotals` over many checkpoints (`FIGURE_BUCKET_CHECKPOINT_BUCKETS`): a storage that keeps checkpoint
 * sums must give what summing every bucket gives, across checkpoint edges, with refunds' negative values, sums back
 * at 0, transactions rolled back, bad input and `clear`.
 */
export function figureCheckpointsSuite(env: SuiteEnv): void {
  describe('figures: bucketTotals across checkpoints (port 29)', () => {
    const sales: FigureCell[][] = [
      [
        bucket(S - 1, 'in_service_delta', '', 3),
        bucket(S - 1, 'net_sales', 'USD', 1000),
        bucket(S, 'in_service_delta', '', 2),
        bucket(S + N - 1, 'in_service_delta', '', -1),
      ],
      [
        // A refund at the checkpoint's last bucket, EUR sold in one checkpoint and refunded in a later one.
        bucket(S + N - 1, 'net_sales', 'USD', -400),
        bucket(S + N, 'net_sales', 'EUR', 500),
        bucket(S + 2 * N + 17, 'net_sales', 'EUR', -500),
        bucket(S + 3 * N + 5, 'paid_orders', '', 1),
      ],
      [
        // A checkpoint whose paid orders net to 0, and a bucket that another apply brings back to 0.
        bucket(S + 3 * N + 6, 'paid_orders', '', -1),
        bucket(S + 4 * N, 'in_service_delta', '', -4),
        bucket(S + 4 * N + 1, 'in_service_delta', '', 7),
        bucket(S + 5 * N + 100, 'net_sales', 'USD', 50),
      ],
      [bucket(S + 4 * N + 1, 'in_service_delta', '', -7), bucket(S + 6 * N - 1, 'new_subscriptions', '', 2)],
    ];

    it('equals the sum of every bucket before the one given, at and beside every checkpoint edge', async () => {
      const { storage } = env;
      const applied: FigureCell[] = [];
      for (const cells of sales) {
        await storage.figures.apply(cells);
        applied.push(...cells);
        for (const before of PROBES) expect(await storage.figures.bucketTotals(before)).toEqual(expectedTotals(applied, before));
      }
      // After the last apply: USD 1000 − 400 + 50; EUR, paid orders and in service (3 + 2 − 1 − 4 + 7 − 7) back at 0.
      expect(await storage.figures.bucketTotals(S + 7 * N)).toEqual([
        bucket(S + 7 * N - 1, 'new_subscriptions', '', 2),
        bucket(S + 7 * N - 1, 'net_sales', 'USD', 650),
      ]);
    });

    it('a rolled-back apply and a refused one leave the checkpoints as they were', async () => {
      const { storage } = env;
      await storage.figures.apply(sales[0]!);
      const failed = storage.transaction(async (tx) => {
        await tx.figures.apply(sales[1]!);
        await tx.figures.apply(sales[2]!);
        throw new Error('roll back');
      });
      await expect(failed).rejects.toThrow('roll back');
      const bad = { ...bucket(S + 5 * N, 'paid_orders', '', 1), value: 0.5 };
      await expectRejects(storage.figures.apply([bucket(S + 2 * N, 'net_sales', 'USD', 9), bad]), 'ValidationError');
      for (const before of PROBES) expect(await storage.figures.bucketTotals(before)).toEqual(expectedTotals(sales[0]!, before));
    });

    it('clear empties the checkpoints with the buckets: what is applied after counts from 0', async () => {
      const { storage } = env;
      for (const cells of sales) await storage.figures.apply(cells);
      await storage.figures.clear();
      expect(await storage.figures.bucketTotals(S + 7 * N)).toEqual([]);
      await storage.figures.apply(sales[1]!);
      for (const before of PROBES) expect(await storage.figures.bucketTotals(before)).toEqual(expectedTotals(sales[1]!, before));
    });
  });
}
