import { describe, expect, it } from 'vitest';
import {
  FIGURE_BUCKET_CHECKPOINT_BUCKETS as N,
  figureBucketCheckpointCells,
  figureBucketCheckpointOf,
  figureBucketCheckpointStart,
} from '../../src/ports/storage-figures-checkpoints.js';
import type { FigureCell } from '../../src/rules/figures/cells.js';

describe('the daily-sales buckets’ checkpoints', () => {
  it('are 30 days of buckets, edges included in the checkpoint they start', () => {
    expect(N * 900_000).toBe(30 * 86_400_000);
    expect([0, N - 1, N, 2 * N - 1, 2 * N].map(figureBucketCheckpointOf)).toEqual([0, 0, 1, 1, 2]);
    expect(figureBucketCheckpointStart(figureBucketCheckpointOf(5 * N + 17))).toBe(5 * N);
  });

  it('sum bucket cells per checkpoint, currency and metric, drop sums of 0 and other tables, in checkpoint order', () => {
    const cells: FigureCell[] = [
      { table: 'buckets', bucket: 3 * N, currency: 'USD', metric: 'net_sales', value: 500 },
      { table: 'cohorts', scope: '*', cohort: 202401, age: 0, value: 1 },
      { table: 'buckets', bucket: N - 1, currency: '', metric: 'in_service_delta', value: 2 },
      { table: 'buckets', bucket: 4 * N - 1, currency: 'USD', metric: 'net_sales', value: -200 },
      { table: 'buckets', bucket: 0, currency: '', metric: 'in_service_delta', value: 1 },
      { table: 'buckets', bucket: N, currency: 'EUR', metric: 'net_sales', value: 70 },
      { table: 'buckets', bucket: 2 * N - 1, currency: 'EUR', metric: 'net_sales', value: -70 },
      { table: 'buckets', bucket: 3 * N + 1, currency: '', metric: 'paid_orders', value: 1 },
    ];
    expect(figureBucketCheckpointCells(cells)).toEqual([
      { checkpoint: 0, currency: '', metric: 'in_service_delta', value: 3 },
      { checkpoint: 3, currency: '', metric: 'paid_orders', value: 1 },
      { checkpoint: 3, currency: 'USD', metric: 'net_sales', value: 300 },
    ]);
    expect(figureBucketCheckpointCells([])).toEqual([]);
  });
});
