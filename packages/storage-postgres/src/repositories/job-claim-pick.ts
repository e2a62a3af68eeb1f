/**
 * The statement that picks a claim's jobs and locks them, as `JobRepository.claim` chooses them. Parameters:
 * $1 now, $2 the types or null, $3 the limit, $4 the batch limit. Returns the picked rows' `id` and
 * `serial_key`, locked (`FOR UPDATE`) by this transaction.
 *
 * - `window_jobs`: the first `limit` claimable jobs in claim order, locked with `SKIP LOCKED`, so
 *   concurrent claimers take disjoint windows without waiting. Claimable: queued, due, of a requested
 *   type, and, as a first cut from this statement's snapshot, no running job holding its dedupe or
 *   serialisation key.
 * - `heads`: the window's jobs without a batch key, and each batch key's first window job, with `before`:
 *   how many jobs at least go before it (a batch takes at least its window jobs, up to `batchLimit`).
 * - `candidates`: each batch's claimable jobs in claim order from its head on (`jobs_queued_batch_key`
 *   serves it), read without locking and only as many as can still make the cut (at most `batchLimit`,
 *   and `limit - before`), beside the window's jobs without a batch key. Jobs of the key before its head
 *   were claimable but skipped by the window: another claimer holds them.
 * - The result: the first `limit` candidates by their head's place, then claim order, locked with
 *   `SKIP LOCKED` and checked again (a companion another claimer holds, or took meanwhile, is left out).
 *
 * So a claim locks at most twice `limit` rows: its window (jobs of it past a batch's cap, or past the
 * limit, stay queued and are free again at commit) and its companions.
 */
export function claimPickStatement(table: string): string {
  const keyFree = (alias: string, column: 'dedupe_key' | 'serial_key') =>
    `(${alias}.${column} IS NULL OR NOT EXISTS (
       SELECT 1 FROM ${table} AS r WHERE r.${column} = ${alias}.${column} AND r.state = 'running'))`;
  const claimable = (alias: string) =>
    `${alias}.state = 'queued' AND ${alias}.run_at <= $1::timestamptz
     AND ($2::text[] IS NULL OR ${alias}.type = ANY($2::text[]))
     AND ${keyFree(alias, 'dedupe_key')} AND ${keyFree(alias, 'serial_key')}`;
  return `WITH window_jobs AS (
      SELECT q.id, q.batch_key, q.priority, q.run_at FROM ${table} AS q
      WHERE ${claimable('q')}
      ORDER BY q.priority, q.run_at, q.id
      LIMIT $3::integer
      FOR UPDATE SKIP LOCKED
    ), placed AS (
      SELECT w.*, row_number() OVER (ORDER BY w.priority, w.run_at, w.id) AS place FROM window_jobs AS w
    ), batches AS (
      SELECT batch_key, min(place) AS place, least(count(*), $4::integer) AS taken_at_least
      FROM placed WHERE batch_key IS NOT NULL GROUP BY batch_key
    ), heads AS (
      SELECT p.batch_key, p.place, p.priority, p.run_at, p.id,
        coalesce(sum(coalesce(b.taken_at_least, 1)) OVER (ORDER BY p.place ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::integer
          AS before
      FROM placed AS p LEFT JOIN batches AS b ON b.batch_key = p.batch_key AND b.place = p.place
      WHERE p.batch_key IS NULL OR b.batch_key IS NOT NULL
    ), candidates AS (
      SELECT h.place, m.id, m.priority, m.run_at FROM heads AS h
      CROSS JOIN LATERAL (
        SELECT c.id, c.priority, c.run_at FROM ${table} AS c
        WHERE c.batch_key = h.batch_key AND (c.priority, c.run_at, c.id) >= (h.priority, h.run_at, h.id) AND ${claimable('c')}
        ORDER BY c.priority, c.run_at, c.id
        LIMIT least($4::integer, $3::integer - h.before)
      ) AS m
      WHERE h.batch_key IS NOT NULL AND h.before < $3::integer
      UNION ALL
      SELECT place, id, priority, run_at FROM heads WHERE batch_key IS NULL AND before < $3::integer
    )
    SELECT j.id, j.serial_key FROM ${table} AS j
    WHERE j.id IN (SELECT id FROM candidates ORDER BY place, priority, run_at, id LIMIT $3::integer) AND ${claimable('j')}
    FOR UPDATE OF j SKIP LOCKED`;
}
