/**
 * Succeeded jobs live in `succeeded_jobs` (migration 32), not in the queue's table: a completion moves the row in one
 * statement, and readers see both tables as one (`jobs.get`, `jobs.list`, an enqueue naming an id).
 */

/** The columns `jobs` and `succeeded_jobs` share, in the order both are written and read here. */
const KEPT = [
  'id',
  'type',
  'payload',
  'dedupe_key',
  'serial_key',
  'batch_key',
  'priority',
  'run_at',
  'max_attempts',
  'attempts',
  'last_error',
  'failing_since',
  'parked_on',
  'created_at',
];

/**
 * One statement that moves the running jobs `match` selects (a condition on `j`, the job, and the `using` rows) out of
 * `jobs` into `succeeded_jobs` with `result` (an expression over the `using` rows or a parameter) and `finished_at` =
 * `at`, and answers `answer` (a query over `gone`, the moved jobs' `id` and `token`, the expression `token`; by default
 * those rows). A lost lease matches no row, as the update it replaces did.
 */
export function moveSucceeded(
  schema: string,
  q: { using?: string; match: string; token: string; result: string; at: string; answer?: string },
): string {
  return `WITH gone AS (
      DELETE FROM ${schema}.jobs AS j ${q.using === undefined ? '' : `USING ${q.using}`}
      WHERE ${q.match}
      RETURNING ${KEPT.map((c) => `j.${c}`).join(', ')}, ${q.token} AS token, ${q.result} AS result
    ), kept AS (
      INSERT INTO ${schema}.succeeded_jobs (${KEPT.join(', ')}, result, finished_at)
      SELECT ${KEPT.join(', ')}, result, ${q.at} FROM gone
    )
    ${q.answer ?? 'SELECT id, token FROM gone'}`;
}

/** The succeeded jobs as rows of `jobs` (`jobFromRow` reads them): a subquery to read from. */
export function succeededJobs(schema: string): string {
  return `(SELECT ${KEPT.join(', ')}, 'succeeded'::text AS state, NULL::text AS locked_by, NULL::text AS lease_token,
      NULL::timestamptz AS lease_expires_at, result, finished_at AS updated_at, finished_at
    FROM ${schema}.succeeded_jobs)`;
}

/**
 * Every job, queued to succeeded, as rows of `jobs`: a subquery to read from (`FROM ${allJobs(schema)} AS j`). A
 * predicate on the id reaches each table's primary key. A completion moves a row in one statement, so one statement
 * sees each job once. (A list reads `listedJobs`.)
 */
function allJobs(schema: string): string {
  return `(SELECT ${KEPT.join(', ')}, state, locked_by, lease_token, lease_expires_at, result, updated_at, finished_at
    FROM ${schema}.jobs
    UNION ALL
    SELECT * FROM ${succeededJobs(schema)} AS s)`;
}

/**
 * What a newest-first list of `state` (or of every state) reads, as rows of `jobs`: subqueries, each read as a page of
 * its own (`pageNewestFirst`). Each names its rows by a constant condition that matches its own index's (migration
 * 35): the queue's rows but running ones (`jobs_created_idx`), the running ones (at most what the workers hold, read
 * and sorted), the succeeded ones (`succeeded_jobs_created_idx`).
 */
export function listedJobs(schema: string, state: string | undefined): string[] {
  if (state === 'succeeded') return [`${succeededJobs(schema)} AS j`];
  const columns = `${KEPT.join(', ')}, state, locked_by, lease_token, lease_expires_at, result, updated_at, finished_at`;
  const waiting = `(SELECT ${columns} FROM ${schema}.jobs WHERE state <> 'running') AS j`;
  const running = `(SELECT ${columns} FROM ${schema}.jobs WHERE state = 'running') AS j`;
  if (state === 'running') return [running];
  if (state !== undefined) return [waiting];
  return [waiting, running, `${succeededJobs(schema)} AS j`];
}

/** The stored job of `id` in either table: one statement, so a job moved meanwhile is found once. */
export function jobById(schema: string, ids: 'one' | 'many'): string {
  return `SELECT * FROM ${allJobs(schema)} AS j WHERE j.id = ${ids === 'one' ? '$1' : 'ANY($1::text[])'}`;
}
