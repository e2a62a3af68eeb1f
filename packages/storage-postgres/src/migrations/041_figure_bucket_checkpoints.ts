import { FIGURE_BUCKET_CHECKPOINT_BUCKETS } from '@panelkit/sdk/storage';

/**
 * The daily-sales buckets' checkpoints (issue 94; design §7 question 2): per `FIGURE_BUCKET_CHECKPOINT_BUCKETS` buckets
 * (30 days), the sums of each currency and metric, which `figures.apply` keeps in the statement that changes the
 * buckets, so `figures.bucketTotals` reads one row per earlier checkpoint instead of every bucket since the shop began.
 * The rows are recomputed from `figure_buckets` here (after the meta lock, so a fold in flight commits first and the
 * next waits): run again on a database a test rolled back, it gives the same rows.
 */
export const figureBucketCheckpoints = `
CREATE TABLE IF NOT EXISTS {{schema}}.figure_bucket_checkpoints (
  checkpoint integer NOT NULL,
  currency text COLLATE "C" NOT NULL,
  metric text COLLATE "C" NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (checkpoint, currency, metric)
);
SELECT 1 FROM {{schema}}.figure_meta FOR UPDATE;
DELETE FROM {{schema}}.figure_bucket_checkpoints;
INSERT INTO {{schema}}.figure_bucket_checkpoints (checkpoint, currency, metric, value)
  SELECT (bucket / ${FIGURE_BUCKET_CHECKPOINT_BUCKETS})::integer, currency, metric, sum(value)::bigint FROM {{schema}}.figure_buckets
   GROUP BY 1, 2, 3 HAVING sum(value) <> 0;
`;
