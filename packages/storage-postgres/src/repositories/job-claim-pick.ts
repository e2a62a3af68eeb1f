/*
 * How a claim picks its jobs and locks them, as `JobRepository.claim` chooses them ({@link claimPickStatements}):
 *
 * - `window_jobs`: the first `limit` claimable jobs in claim order (with the `ctid` of the version locked, which the
 *   claim's update reaches its rows by), locked with `SKIP LOCKED`, so
 *   concurrent claimers take disjoint windows without waiting. Claimable: queued, due, of a requested
 *   type, and, as a first cut from this statement's snapshot, no running job holding its dedupe or
 *   serialisation key. One key may hold 100 000 queued jobs ahead of every other (bench/claims-serial), so the
 *   window is read one of two ways:
 *   - `head`, the first `2 × limit` due jobs in claim order, read without locking, says which (`blocked`): when
 *     it is full and fewer than `limit` of it are claimable, the queue's head is held. Only a running job's key can
 *     hold a queued one, so `head` is read only while a running job has a dedupe or serialisation key (one probe each
 *     of the two small indexes of running jobs' keys): a queue of jobs without keys never reads it (bench/queue, a
 *     claim of 1 000 from 20 000 queued jobs: 2 900 of its 20 000 buffer reads);
 *   - not blocked (statement `walk`): the claim-order scan (`jobs_queue_idx`), locked as scanned. It finds its
 *     window within about the head's rows (more only where other claimers hold rows).
 *   - blocked (statement `pastHeld`, run after `walk` said so): the first `limit` of two windows read from indexes where no held key's jobs are met:
 *     `unkeyed_window`, the jobs without a serialisation key (`jobs_queued_unkeyed`), locked as scanned; and
 *     `keyed_window`: `queued_keys` lists the keys with queued jobs, one probe of `jobs_queued_serial_key` a key
 *     (a loose index scan); `free_keys` drops those a running job holds (`jobs_running_serial_key`) before any
 *     of their jobs is read; `key_heads` is each free key's first claimable job, and only the first `limit` keys
 *     by it can reach the window; `keyed_candidates` their first `limit` claimable jobs each, read without
 *     locking; the window locks the first `limit` of them with `SKIP LOCKED` (reading twice as many, so a
 *     claimer racing another over the same keys still finds rows the other has not locked).
 *   A blocked claim so costs a probe or two per key with queued jobs, however many jobs the held key has.
 * - A window without a batch key (`with_batches` false) is the pick as it is: nothing below runs (it is most claims,
 *   and the steps below cost ten times the rest of the pick: bench/queue, a claim of 1 000 from 20 000 queued jobs
 *   without keys, 26 ms → 2.3 ms on the server). Otherwise (`batched`):
 * - `heads`: the window's jobs without a batch key, and each batch key's first window job, with `before`:
 *   how many jobs at least go before it (a batch takes at least its window jobs, up to `batchLimit`).
 * - `candidates`: each batch's claimable jobs in claim order from its head on (`jobs_queued_batch_key`
 *   serves it), read without locking and only as many as can still make the cut (at most `batchLimit`,
 *   and `limit - before`), beside the window's jobs without a batch key. Jobs of the key before its head
 *   were claimable but skipped by the window: another claimer holds them.
 * - The result: the first `limit` candidates by their head's place, then claim order, locked with
 *   `SKIP LOCKED` and checked again (a companion another claimer holds, or took meanwhile, is left out).
 *
 * So a claim locks at most three times `limit` rows: its window's (two when blocked; jobs of them past a batch's
 * cap, or past the limit, stay queued and are free again at commit) and its companions.
 */
/**
 * The planner settings a claim's transaction runs under (see {@link CLAIM_IN_INDEX_ORDER}), each with the reason:
 *
 * - `enable_bitmapscan` off: without statistics on `jobs` (a new or truncated table; or statistics from when the queue
 *   was short, before a backlog) the planner takes a queue of any length for a few rows, and read every due job through
 *   a bitmap scan and sorted them all, for each claim: bench/queue's claims of 1 000 from 20 000 queued jobs took 103
 *   ms instead of 43 ms, and the cost grew with the backlog. The pick's other reads are index probes, which the setting
 *   leaves as they were.
 * - `plan_cache_mode` `force_generic_plan`: the claim's statements are prepared on each connection, and PostgreSQL
 *   plans a prepared statement anew for its parameters (a custom plan) its first five runs there, and for good when a
 *   custom plan looks cheaper than the generic one. The pick is some twenty common table expressions: planning it took
 *   2–7 ms a claim (PostgreSQL 15, 2 000 to 100 000 queued jobs), several times what running it takes from a short
 *   queue, against 0.05 ms to reuse the generic plan. Its plan does not turn on the parameters' values: the generic
 *   one walks the same indexes (`claim-plans.test.ts` checks what it reads).
 * - `jit` off: the generic plan's estimate over a large queue (100 000 jobs: 160 000) passes `jit_above_cost`, and
 *   compiling it took ~130 ms a claim, ten times the claim itself.
 */
const CLAIM_SETTINGS = [
  ['enable_bitmapscan', 'off'],
  ['plan_cache_mode', 'force_generic_plan'],
  ['jit', 'off'],
] as const;

/**
 * Run first in a claim's transaction (parameter `$1`: `'off'`, for `enable_bitmapscan`): the {@link CLAIM_SETTINGS} for
 * the rest of it. `SET LOCAL` ends with the claim's transaction (the caller's, for a claim made inside
 * `storage.transaction`: the engine's worker claims outside one).
 */
export const CLAIM_IN_INDEX_ORDER = `SELECT ${CLAIM_SETTINGS.map(([name, value], i) =>
  i === 0 ? `set_config('${name}', $1, true)` : `set_config('${name}', '${value}', true)`,
).join(', ')}`;

/**
 * {@link CLAIM_IN_INDEX_ORDER} as commands without parameters, for a connection that sends them in the round trip of
 * the claim's pick (`SqlQueryable.sendAhead`).
 */
export const CLAIM_IN_INDEX_ORDER_AHEAD: readonly string[] = CLAIM_SETTINGS.map(([name, value]) => `SET LOCAL ${name} = ${value}`);

/** The two statements of a claim's pick; see {@link claimPickStatements}. */
export interface ClaimPickStatements {
  /** The claim-order walk; one row of nulls besides the picked rows when the queue's head is held. */
  readonly walk: string;
  /**
   * `walk`'s common table expressions alone (`WITH … picked AS (…)`, with `blocked` and `window_jobs` among them), for a
   * statement that goes on from the pick (the claim's own, which marks its jobs without a serialisation key running).
   */
  readonly walkCtes: string;
  /** The pick past held keys, run only when `walk` said the head is held. */
  readonly pastHeld: string;
}

/** SQL for what a claim's pick needs to say of a job, on `table`. */
function claimConditions(table: string) {
  const keyFree = (alias: string, column: 'dedupe_key' | 'serial_key') =>
    `(${alias}.${column} IS NULL OR NOT EXISTS (
       SELECT 1 FROM ${table} AS r WHERE r.${column} = ${alias}.${column} AND r.state = 'running'))`;
  // Queued, due, of a requested type, its dedupe key free: claimable but for the serialisation key.
  const waiting = (alias: string) =>
    `${alias}.state = 'queued' AND ${alias}.run_at <= $1::timestamptz
     AND ($2::text[] IS NULL OR ${alias}.type = ANY($2::text[])) AND ${keyFree(alias, 'dedupe_key')}`;
  const claimable = (alias: string) => `${waiting(alias)} AND ${keyFree(alias, 'serial_key')}`;
  return { keyFree, waiting, claimable };
}

/**
 * From `window_jobs` on: each batch key's companions, and the final pick locked (see the steps above), for the CTEs
 * before it that define `window_jobs (id, batch_key, serial_key, priority, run_at)`. The result is the CTE `picked`.
 */
function batchedPick(table: string, windowCtes: string): string {
  const { claimable } = claimConditions(table);
  return `${windowCtes}, with_batches AS (
      SELECT EXISTS (SELECT 1 FROM window_jobs AS w WHERE w.batch_key IS NOT NULL) AS yes
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
    ), batched AS MATERIALIZED (
      SELECT j.id, j.serial_key, j.ctid FROM ${table} AS j
      WHERE (SELECT yes FROM with_batches)
        AND j.id IN (SELECT id FROM candidates ORDER BY place, priority, run_at, id LIMIT $3::integer) AND ${claimable('j')}
      FOR UPDATE OF j SKIP LOCKED
    ), picked AS MATERIALIZED (
      SELECT w.id, w.serial_key, w.ctid FROM window_jobs AS w WHERE NOT (SELECT yes FROM with_batches)
      UNION ALL
      SELECT b.id, b.serial_key, b.ctid FROM batched AS b
    )`;
}

/**
 * The statements that pick a claim's jobs and lock them, on `table`. Parameters of both: $1 now, $2 the types or
 * null, $3 the limit, $4 the batch limit. Each returns the picked rows' `id` and `serial_key`; `walk` also returns a
 * row of nulls when the queue's head is held (`blocked`), and then picks nothing: run `pastHeld` instead. Two
 * statements, so the usual claim plans only the smaller one.
 */
export function claimPickStatements(table: string): ClaimPickStatements {
  const { keyFree, waiting, claimable } = claimConditions(table);
  const walk = `WITH head AS (
      SELECT q.id, q.dedupe_key, q.serial_key FROM ${table} AS q
      WHERE q.state = 'queued' AND q.run_at <= $1::timestamptz AND ($2::text[] IS NULL OR q.type = ANY($2::text[]))
      ORDER BY q.priority, q.run_at, q.id
      LIMIT 2 * $3::integer
    ), blocked AS (
      SELECT (EXISTS (SELECT 1 FROM ${table} AS r WHERE r.state = 'running' AND r.serial_key IS NOT NULL)
          OR EXISTS (SELECT 1 FROM ${table} AS r WHERE r.state = 'running' AND r.dedupe_key IS NOT NULL))
        AND (SELECT count(*) = 2 * $3::integer
            AND count(*) FILTER (WHERE ${keyFree('h', 'dedupe_key')} AND ${keyFree('h', 'serial_key')}) < $3::integer
          FROM head AS h) AS yes
    ), window_jobs AS (
      SELECT q.id, q.batch_key, q.serial_key, q.priority, q.run_at, q.ctid FROM ${table} AS q
      WHERE NOT (SELECT yes FROM blocked) AND ${claimable('q')}
      ORDER BY q.priority, q.run_at, q.id
      LIMIT $3::integer
      FOR UPDATE SKIP LOCKED
    )`;
  const pastHeld = `WITH RECURSIVE queued_keys AS (
      (SELECT k.serial_key FROM ${table} AS k WHERE k.state = 'queued' AND k.serial_key IS NOT NULL ORDER BY k.serial_key LIMIT 1)
      UNION ALL
      SELECT (SELECT k.serial_key FROM ${table} AS k
              WHERE k.state = 'queued' AND k.serial_key IS NOT NULL AND k.serial_key > s.serial_key
              ORDER BY k.serial_key LIMIT 1)
      FROM queued_keys AS s WHERE s.serial_key IS NOT NULL
    ), free_keys AS (
      SELECT s.serial_key FROM queued_keys AS s
      WHERE s.serial_key IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM ${table} AS r WHERE r.serial_key = s.serial_key AND r.state = 'running')
    ), key_heads AS (
      SELECT f.serial_key, h.priority, h.run_at, h.id FROM free_keys AS f
      CROSS JOIN LATERAL (
        SELECT c.priority, c.run_at, c.id FROM ${table} AS c
        WHERE c.serial_key = f.serial_key AND ${waiting('c')}
        ORDER BY c.priority, c.run_at, c.id
        LIMIT 1
      ) AS h
      ORDER BY h.priority, h.run_at, h.id
      LIMIT $3::integer
    ), keyed_candidates AS (
      SELECT m.id FROM key_heads AS h
      CROSS JOIN LATERAL (
        SELECT c.id, c.priority, c.run_at FROM ${table} AS c
        WHERE c.serial_key = h.serial_key AND (c.priority, c.run_at, c.id) >= (h.priority, h.run_at, h.id) AND ${waiting('c')}
        ORDER BY c.priority, c.run_at, c.id
        LIMIT $3::integer
      ) AS m
      ORDER BY m.priority, m.run_at, m.id
      LIMIT 2 * $3::integer
    ), keyed_window AS (
      SELECT q.id, q.batch_key, q.serial_key, q.priority, q.run_at, q.ctid FROM ${table} AS q
      WHERE q.id IN (SELECT id FROM keyed_candidates) AND ${claimable('q')}
      ORDER BY q.priority, q.run_at, q.id
      LIMIT $3::integer
      FOR UPDATE SKIP LOCKED
    ), unkeyed_window AS (
      SELECT q.id, q.batch_key, q.serial_key, q.priority, q.run_at, q.ctid FROM ${table} AS q
      WHERE q.serial_key IS NULL AND ${claimable('q')}
      ORDER BY q.priority, q.run_at, q.id
      LIMIT $3::integer
      FOR UPDATE SKIP LOCKED
    ), window_jobs AS (
      SELECT w.* FROM (SELECT * FROM keyed_window UNION ALL SELECT * FROM unkeyed_window) AS w
      ORDER BY w.priority, w.run_at, w.id
      LIMIT $3::integer
    )`;
  return {
    walkCtes: batchedPick(table, walk),
    walk: `${batchedPick(table, walk)}
    SELECT id, serial_key FROM picked
    UNION ALL
    SELECT NULL, NULL FROM blocked WHERE yes`,
    pastHeld: `${batchedPick(table, pastHeld)}
    SELECT id, serial_key FROM picked`,
  };
}
