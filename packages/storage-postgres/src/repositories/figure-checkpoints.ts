import type { FigureCell } from '@panelkit/sdk/rules';
import { figureBucketCheckpointCells, figureBucketCheckpointOf, figureBucketCheckpointStart } from '@panelkit/sdk/storage';

/** The buckets' checkpoint sums (migration 41): one row per checkpoint, currency and metric. */
export const CHECKPOINT_TABLE_NAME = 'figure_bucket_checkpoints';

/**
 * The CTE of `figures.apply` that adds `cells`' bucket cells to their checkpoints' rows, in checkpoint order, with
 * the same upsert as the rollups. Its three key arrays and its values are pushed onto `params`.
 */
export function checkpointCte(schema: string, cells: readonly FigureCell[], params: unknown[][]): string {
  const sums = figureBucketCheckpointCells(cells);
  const first = params.length + 1;
  params.push(
    sums.map((s) => s.checkpoint),
    sums.map((s) => s.currency),
    sums.map((s) => s.metric),
    sums.map((s) => s.value),
  );
  return `checkpoints AS (INSERT INTO ${schema}.${CHECKPOINT_TABLE_NAME} AS t (checkpoint, currency, metric, value)
      SELECT u.checkpoint, u.currency, u.metric, u.value
        FROM unnest($${first}::integer[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::bigint[])
          WITH ORDINALITY AS u(checkpoint, currency, metric, value, n) ORDER BY u.n
      ON CONFLICT (checkpoint, currency, metric) DO UPDATE SET value = t.value + EXCLUDED.value)`;
}

/**
 * `figures.bucketTotals` as one aggregate: the checkpoints before the one holding `before` (primary key range) and
 * that checkpoint's buckets before `before` (an index range of at most one checkpoint), summed per currency and metric.
 */
export function bucketTotalsStatement(schema: string, before: number): { sql: string; params: number[] } {
  const checkpoint = figureBucketCheckpointOf(before);
  return {
    sql: `SELECT currency, metric, sum(value) AS value FROM (
            SELECT currency, metric, value FROM ${schema}.${CHECKPOINT_TABLE_NAME} WHERE checkpoint < $1
            UNION ALL
            SELECT currency, metric, value FROM ${schema}.figure_buckets WHERE bucket >= $2 AND bucket < $3) AS parts
          GROUP BY currency, metric HAVING sum(value) <> 0`,
    params: [checkpoint, figureBucketCheckpointStart(checkpoint), before],
  };
}
