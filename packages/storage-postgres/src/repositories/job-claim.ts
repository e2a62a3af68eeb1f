import { parseClaimRequest } from '@panelkit/sdk/storage';
import type { ClaimedJob } from '@panelkit/sdk';
import type { ClaimRequest } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { enc } from '../internal/sql.js';
import { jobFromRow } from './job-rows.js';

function compareClaimOrder(a: ClaimedJob, b: ClaimedJob): number {
  const x = a.job;
  const y = b.job;
  return x.priority - y.priority || x.runAt.getTime() - y.runAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}

/**
 * The statement that picks a claim's jobs and locks them (`FOR UPDATE SKIP LOCKED`, so concurrent
 * claimers take disjoint rows without waiting), as `JobRepository.claim` chooses them:
 *
 * - `window_jobs`: the first `limit` claimable jobs in claim order (what a claim without batch keys
 *   takes). Claimable: queued, due, of a requested type, and, as a first cut from this statement's
 *   snapshot, no running job holding its dedupe or serialisation key.
 * - `batches`: each batch key among them, placed where its first job stands in the window.
 * - `members`: each batch's claimable jobs in claim order, at most `batchLimit` (`jobs_queued_batch_key`
 *   serves it), beside the window's jobs without a batch key.
 * - The result: by place, then claim order, the first `limit`. Rows locked here and not returned (a
 *   key's jobs past its cap, jobs past the limit) stay queued; they are free again at commit.
 *
 * $1 now, $2 types or null, $3 limit, $4 batch limit.
 */
function pickStatement(table: string): string {
  const keyFree = (alias: string, column: 'dedupe_key' | 'serial_key') =>
    `(${alias}.${column} IS NULL OR NOT EXISTS (
       SELECT 1 FROM ${table} AS r WHERE r.${column} = ${alias}.${column} AND r.state = 'running'))`;
  const claimable = (alias: string) =>
    `${alias}.state = 'queued' AND ${alias}.run_at <= $1::timestamptz
     AND ($2::text[] IS NULL OR ${alias}.type = ANY($2::text[]))
     AND ${keyFree(alias, 'dedupe_key')} AND ${keyFree(alias, 'serial_key')}`;
  return `WITH window_jobs AS (
      SELECT q.id, q.batch_key, q.serial_key, q.priority, q.run_at FROM ${table} AS q
      WHERE ${claimable('q')}
      ORDER BY q.priority, q.run_at, q.id
      LIMIT $3
      FOR UPDATE SKIP LOCKED
    ), placed AS (
      SELECT w.*, row_number() OVER (ORDER BY w.priority, w.run_at, w.id) AS place FROM window_jobs AS w
    ), batches AS (
      SELECT batch_key, min(place) AS place FROM placed WHERE batch_key IS NOT NULL GROUP BY batch_key
    ), members AS (
      SELECT b.place, m.id, m.serial_key, m.priority, m.run_at FROM batches AS b
      CROSS JOIN LATERAL (
        SELECT c.id, c.serial_key, c.priority, c.run_at FROM ${table} AS c
        WHERE c.batch_key = b.batch_key AND ${claimable('c')}
        ORDER BY c.priority, c.run_at, c.id
        LIMIT $4
        FOR UPDATE SKIP LOCKED
      ) AS m
      UNION ALL
      SELECT place, id, serial_key, priority, run_at FROM placed WHERE batch_key IS NULL
    )
    SELECT id, serial_key FROM members ORDER BY place, priority, run_at, id LIMIT $3`;
}

/**
 * `JobRepository.claim` on PostgreSQL, in one transaction of four statements:
 *
 * 1. Pick the claim's jobs (`pickStatement`): the window of due queued jobs in claim order, each of its
 *    batch keys widened to the key's first `batchLimit` claimable jobs, all with `FOR UPDATE SKIP LOCKED`
 *    (concurrent claimers take disjoint rows without waiting), skipping dedupe keys with a running job and,
 *    as a first cut from this statement's snapshot, serialisation keys with a running job.
 * 2. For each serialisation key among them, `pg_try_advisory_xact_lock(<schema's namespace>,
 *    hashtext(key))`; a key another claim holds right now is dropped (never waited for).
 * 3. In a new statement, so with a snapshot taken after the locks were granted, drop the keys that
 *    have a running job. This is what makes the guarantee hold across connections: whoever last made
 *    a job of the key running did so in a transaction that held this lock, and a transaction's
 *    locks are released only after its commit is visible, so this snapshot sees that job. (The first
 *    cut in step 1 cannot: its snapshot predates the lock.) It relies on READ COMMITTED, PostgreSQL's
 *    default, where each statement takes a fresh snapshot.
 * 4. Mark the jobs that are left running with fresh lease tokens, leased until `leaseMs` from now on the
 *    lease clock (the server's by default, see `PostgresStorageOptions.leaseClock`). The advisory locks end with the
 *    transaction, after the `running` rows are committed; from then on those rows hold the key.
 *
 * Steps 2–3 run only when a picked job has a serialisation key. Several queued jobs of one free key may
 * be picked together: they all go to this claimer. Two keys with the same `hashtext` only make claims skip
 * each other's key for a moment, never run together. A claim that drops jobs in steps 2–3 returns fewer
 * than `limit`; the next claim gets the rest.
 */
export function claimJobs({ runner, schema, leaseClock }: RepositoryContext): (request: ClaimRequest) => Promise<ClaimedJob[]> {
  const table = `${schema}.jobs`;
  const lockNamespace = `panelkit.jobs.serial:${schema}`;
  const pick = pickStatement(table);
  // $3 is the lease in ms on the server's clock, or its end on the storage's clock.
  const leaseEnd = leaseClock === 'database' ? `clock_timestamp() + $3::integer * interval '1 millisecond'` : '$3::timestamptz';

  return (request: ClaimRequest) =>
    runner.run('jobs.claim', async ({ db, now }) => {
      const { workerId, limit, leaseMs, types, batchLimit } = parseClaimRequest(request);
      const picked = await db.query(pick, [enc.time(now), types, limit, batchLimit]);
      if (picked.rows.length === 0) return [];
      const keys = [...new Set(picked.rows.map((r) => r['serial_key']).filter((k): k is string => typeof k === 'string'))];
      let free = new Set<string>();
      if (keys.length > 0) {
        const locked = await db.query(`SELECT k FROM unnest($1::text[]) AS k WHERE pg_try_advisory_xact_lock(hashtext($2), hashtext(k))`, [
          keys,
          lockNamespace,
        ]);
        const lockedKeys = locked.rows.map((r) => String(r['k']));
        const busy = await db.query(`SELECT DISTINCT serial_key FROM ${table} WHERE state = 'running' AND serial_key = ANY($1::text[])`, [
          lockedKeys,
        ]);
        const busyKeys = new Set(busy.rows.map((r) => String(r['serial_key'])));
        free = new Set(lockedKeys.filter((k) => !busyKeys.has(k)));
      }
      const ids = picked.rows.filter((r) => r['serial_key'] === null || free.has(String(r['serial_key']))).map((r) => String(r['id']));
      if (ids.length === 0) return [];
      const { rows } = await db.query(
        `UPDATE ${table} AS j
         SET state = 'running', attempts = j.attempts + 1, locked_by = $2, lease_token = gen_random_uuid()::text,
             lease_expires_at = ${leaseEnd}, updated_at = $4::timestamptz
         WHERE j.id = ANY($1::text[])
         RETURNING j.*`,
        [ids, workerId, leaseClock === 'database' ? leaseMs : enc.time(new Date(now.getTime() + leaseMs)), enc.time(now)],
      );
      return rows
        .map((row): ClaimedJob => {
          const job = jobFromRow(row);
          return { job, lease: { jobId: job.id, token: job.leaseToken! } };
        })
        .sort(compareClaimOrder);
    });
}
