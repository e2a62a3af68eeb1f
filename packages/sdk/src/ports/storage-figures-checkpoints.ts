import type { FigureBucketMetric, FigureCell } from '../rules/figures/cells.js';

/**
 * How many 15-minute buckets one checkpoint of the daily-sales buckets covers: 2 880, 30 days. A storage keeps each
 * checkpoint's sums per metric and currency beside the buckets, written with them in `figures.apply`, so
 * `figures.bucketTotals` adds one row per earlier checkpoint and at most one checkpoint's buckets instead of every
 * bucket since the shop began. Checkpoints are bucket-number ranges, not calendar months, so no zone or calendar
 * enters them. Changing this number needs a migration that recomputes the stored checkpoints.
 */
export const FIGURE_BUCKET_CHECKPOINT_BUCKETS = 2880;

/** The checkpoint holding bucket `bucket` (a bucket number, `figureBucketOf`): buckets `[n × size, (n + 1) × size)`. */
export function figureBucketCheckpointOf(bucket: number): number {
  return Math.floor(bucket / FIGURE_BUCKET_CHECKPOINT_BUCKETS);
}

/** The first bucket of checkpoint `checkpoint`. */
export function figureBucketCheckpointStart(checkpoint: number): number {
  return checkpoint * FIGURE_BUCKET_CHECKPOINT_BUCKETS;
}

/** The sum of one metric and currency over one checkpoint's buckets. */
export interface FigureBucketCheckpointCell {
  checkpoint: number;
  currency: string;
  metric: FigureBucketMetric;
  value: number;
}

/** A checkpoint cell's identity: two with one key add up. */
export function figureBucketCheckpointKey(cell: Omit<FigureBucketCheckpointCell, 'value'>): string {
  return `${cell.checkpoint}\u0000${cell.currency}\u0000${cell.metric}`;
}

/**
 * What `cells` add to the checkpoints: their `buckets` cells summed per checkpoint, currency and metric (the other
 * tables' left out, sums of 0 dropped), ordered by checkpoint, currency and metric: the order a storage locks rows in.
 */
export function figureBucketCheckpointCells(cells: readonly FigureCell[]): FigureBucketCheckpointCell[] {
  const sums = new Map<string, FigureBucketCheckpointCell>();
  for (const cell of cells) {
    if (cell.table !== 'buckets') continue;
    const sum = { checkpoint: figureBucketCheckpointOf(cell.bucket), currency: cell.currency, metric: cell.metric, value: 0 };
    const key = figureBucketCheckpointKey(sum);
    sums.set(key, { ...sum, value: (sums.get(key)?.value ?? 0) + cell.value });
  }
  return [...sums.values()]
    .filter((c) => c.value !== 0)
    .sort((a, b) => a.checkpoint - b.checkpoint || compare(a.currency, b.currency) || compare(a.metric, b.metric));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
