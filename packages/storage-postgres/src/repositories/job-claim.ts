import { parseClaimRequest } from '@panelkit/sdk/storage';
import type { ClaimedJob } from '@panelkit/sdk';
import type { ClaimRequest } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { enc } from '../internal/sql.js';
import { claimPickStatements } from './job-claim-pick.js';
import { jobFromRow } from './job-rows.js';

function compareClaimOrder(a: ClaimedJob, b: ClaimedJob): number {
  const x = a.job;
  const y = b.job;
  return x.priority - y.priority || x.runAt.getTime() - y.runAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}

/**
 * `JobRepository.claim` on PostgreSQL, in one transaction of four statements:
 *
 * 1. Pick the claim's jobs (`claimPickStatements`; a second statement when the queue's head is held): the window of due queued jobs in claim order, each of
 *    its batch keys widened to the key's first `batchLimit` claimable jobs, locked with `FOR UPDATE SKIP
 *    LOCKED` (concurrent claimers take disjoint rows without waiting), skipping dedupe keys with a running
 *    job and, as a first cut from this statement's snapshot, serialisation keys with a running job.
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
 * With `awaitWakeMs` (a worker sleeping on `jobsQueued`), step 4 also takes the worker off `job_waiters`, and a claim
 * that takes nothing puts it there after its commit, until `awaitWakeMs` from now, if this storage listens now (a
 * wake for it would be lost otherwise): the next job queued wakes it alone (migration 22). Registered after the claim's snapshot, so a job committed meanwhile either was seen by
 * the claim, or its commit took another idle worker or, finding none, told every worker, this one included.
 *
 * Steps 2–3 run only when a picked job has a serialisation key. Several queued jobs of one free key may
 * be picked together: they all go to this claimer. Two keys with the same `hashtext` only make claims skip
 * each other's key for a moment, never run together. A claim that drops jobs in steps 2–3 returns fewer
 * than `limit`; the next claim gets the rest.
 */
export function claimJobs({ runner, schema, leaseClock, listening }: RepositoryContext): (request: ClaimRequest) => Promise<ClaimedJob[]> {
  const table = `${schema}.jobs`;
  const waiters = `${schema}.job_waiters`;
  const lockNamespace = `panelkit.jobs.serial:${schema}`;
  const pick = claimPickStatements(table);
  // $3 is the lease in ms on the server's clock, or its end on the storage's clock.
  const leaseEnd = leaseClock === 'database' ? `clock_timestamp() + $3::integer * interval '1 millisecond'` : '$3::timestamptz';

  // A worker that took jobs is no longer idle; a row a commit is taking now (locked) is going anyway.
  const notWaiting = `DELETE FROM ${waiters} WHERE worker_id IN (
    SELECT worker_id FROM ${waiters} WHERE worker_id = $2 FOR UPDATE SKIP LOCKED)`;
  const claim = (request: ClaimRequest) =>
    runner.run('jobs.claim', async ({ db, now }) => {
      const { workerId, limit, leaseMs, types, batchLimit, awaitWakeMs } = parseClaimRequest(request);
      const params = [enc.time(now), types, limit, batchLimit];
      let picked = await db.query(pick.walk, params);
      // The queue's head is held: pick past the held keys.
      if (picked.rows.some((r) => r['id'] === null)) picked = await db.query(pick.pastHeld, params);
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
        `${awaitWakeMs === null ? '' : `WITH not_waiting AS (${notWaiting}) `}UPDATE ${table} AS j
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
  // After the claim's commit, so no lock of the claim is held while this waits for a commit that is taking the row.
  const awaitWake = (workerId: string, awaitWakeMs: number) =>
    runner.run(
      'jobs.await_wake',
      ({ db }) =>
        db.query(
          `INSERT INTO ${waiters} (worker_id, until) VALUES ($1, clock_timestamp() + $2::integer * interval '1 millisecond')
           ON CONFLICT (worker_id) DO UPDATE SET until = EXCLUDED.until`,
          [workerId, awaitWakeMs],
        ),
      { single: true },
    );
  return async (request: ClaimRequest) => {
    const claimed = await claim(request);
    const { workerId, awaitWakeMs } = parseClaimRequest(request);
    if (claimed.length === 0 && awaitWakeMs !== null && listening?.() === true) await awaitWake(workerId, awaitWakeMs);
    return claimed;
  };
}
