import { LeaseLostError } from '@panelkit/sdk';
import { JsonValueSchema, SerializedErrorSchema } from '@panelkit/sdk/schemas';
import {
  inputArray,
  inputRows,
  parseInput,
  parseJobParking,
  parseParkingPanelId,
  parseLease,
  parseLeaseMs,
  parseJobSettlements,
  parseRetryDecision,
} from '@panelkit/sdk/storage';
import type { JsonValue, Lease, SerializedError } from '@panelkit/sdk';
import type { JobParking, JobRepository, JobSettlement } from '@panelkit/sdk/storage';
import { isUniqueViolation } from '../internal/errors.js';
import type { RepositoryContext } from '../internal/runner.js';
import { enc } from '../internal/sql.js';
import { claimJobs } from './job-claim.js';
import { requeueState } from './job-rows.js';
import { moveSucceeded } from './job-succeeded.js';

/** A requeue can race an enqueue of its twin; the next attempt sees the twin and supersedes. */
const retryOnTwin = { retryOn: (error: unknown) => isUniqueViolation(error, 'jobs_queued_dedupe_key') };

type LeaseMethods = Pick<
  JobRepository,
  'claim' | 'heartbeat' | 'complete' | 'completeMany' | 'fail' | 'settleMany' | 'release' | 'park' | 'unpark' | 'reapExpired'
>;

/** Claiming, fencing and reaping: every write here is conditional on the job's current lease token. */
export function jobLeaseOperations(context: RepositoryContext): LeaseMethods {
  const { runner, schema, leaseClock } = context;
  const table = `${schema}.jobs`;
  const onServer = leaseClock === 'database';
  /**
   * A lease is held while the row carries its token: only a claim sets `lease_token` (with `state = 'running'`), and
   * every write that takes a job out of `running` clears it, so a token match means a running job. The match is on
   * the primary key and the token alone, not on `state` too: a `state = 'running'` condition makes the partial
   * indexes on running jobs (`jobs_leases_idx` on `(lease_expires_at, id)`) candidates, and a planner without
   * statistics yet (a new or truncated table) picked that one and read every running job for each settled row
   * (bench/queue: a `completeMany` of 1 000 rows took 0.5–0.8 s, against 15 ms through the primary key).
   */
  const held = `j.id = $1 AND j.lease_token = $2`;
  /**
   * {@link held} for the rows of `unnest($1::text[], …) AS <alias>(id, token, …)`, `$1` the jobs' ids. The join alone
   * leaves the planner a hash join over a sequential scan of `jobs`, which it picks below a few hundred thousand rows
   * (1 000 index probes cost more on paper than one pass over 20 000 rows): every batch then read the whole queue
   * (bench/queue: a `completeMany` of 1 000 rows 12–15 µs of the server's CPU a job, 7–8 µs through the primary key).
   * `j.id = ANY($1)` is an index condition of its own, and the scan that tests it row by row is priced a comparison
   * an element, so the primary key is the only cheap way in.
   */
  const heldBy = (alias: string) => `j.id = ANY($1::text[]) AND j.id = ${alias}.id AND j.lease_token = ${alias}.token`;
  const unlock = `locked_by = NULL, lease_token = NULL, lease_expires_at = NULL`;

  return {
    claim: claimJobs(context),

    heartbeat: (leases: readonly Lease[], leaseMs: number) =>
      runner.run('jobs.heartbeat', async ({ db, now }) => {
        const parsed = inputArray(leases, 'leases', '(root)').map((lease, i) => parseLease(lease, `lease ${i}`));
        const ms = parseLeaseMs(leaseMs, 'heartbeat');
        if (parsed.length === 0) return [];
        const { rows } = await db.query(
          `UPDATE ${table} AS j
           SET lease_expires_at = ${onServer ? `clock_timestamp() + $3::integer * interval '1 millisecond'` : '$3::timestamptz'},
               updated_at = $4::timestamptz
           FROM unnest($1::text[], $2::text[]) AS l(id, token)
           WHERE ${heldBy('l')}
           RETURNING j.id, j.lease_token`,
          [parsed.map((l) => l.jobId), parsed.map((l) => l.token), onServer ? ms : enc.time(new Date(now.getTime() + ms)), enc.time(now)],
        );
        const kept = new Set(rows.map((r) => `${String(r['id'])}\u0000${String(r['lease_token'])}`));
        return parsed.filter((l) => kept.has(`${l.jobId}\u0000${l.token}`)).map((l) => ({ jobId: l.jobId, token: l.token }));
      }),

    complete: (lease: Lease, result?: JsonValue) =>
      runner.run(
        'jobs.complete',
        async ({ db, now }) => {
          const current = parseLease(lease, 'lease');
          const value = result === undefined ? null : parseInput(JsonValueSchema, result, 'job result');
          const { rows } = await db.query(
            moveSucceeded(schema, { match: held, token: '$2::text', result: '$3::jsonb', at: '$4::timestamptz' }),
            [current.jobId, current.token, enc.jsonOrNull(value), enc.time(now)],
          );
          return rows.length > 0;
          // One statement that refuses by matching no row: no BEGIN/COMMIT alone, no savepoint in a transaction.
        },
        { autocommit: true, optimistic: true },
      ),

    /**
     * One statement (`moveSucceeded` over `unnest(…)`): each job whose lease is still held succeeds; the others match no
     * row. It answers the leases it did not move (usually none), not the thousand it did. In a transaction it is
     * deferred (`SqlQueryable.defer`) on the guess that none was lost, which a replay corrects.
     */
    completeMany: (leases: readonly Lease[]) =>
      runner.run(
        'jobs.completeMany',
        async ({ db, now }) => {
          const parsed = inputRows(leases, 'leases').map((lease, i) => parseLease(lease, `lease ${i}`));
          if (parsed.length === 0) return [];
          const move = (answer: string) =>
            moveSucceeded(schema, {
              using: 'unnest($1::text[], $2::text[]) AS l(id, token)',
              match: heldBy('l'),
              token: 'l.token',
              result: 'NULL::jsonb',
              at: '$3::timestamptz',
              answer,
            });
          const notMoved = `FROM unnest($1::text[], $2::text[]) AS a(id, token)
            WHERE NOT EXISTS (SELECT 1 FROM gone AS g WHERE g.id = a.id AND g.token = a.token)`;
          const params = [parsed.map((l) => l.jobId), parsed.map((l) => l.token), enc.time(now)];
          if (db.defer !== undefined) {
            // In a transaction, deferred on the guess that every lease is still held (as it nearly always is): a lost
            // one fails the statement, and the transaction is replayed with nothing deferred, where the call answers below.
            db.defer(
              move(`SELECT CASE WHEN count(*) = 0 THEN 0
                ELSE ('jobs.completeMany: ' || count(*) || ' of the leases lost')::integer END ${notMoved}`),
              params,
            );
            return parsed;
          }
          const { rows } = await db.query(move(`SELECT a.id, a.token ${notMoved}`), params);
          if (rows.length === 0) return parsed;
          const lost = new Set(rows.map((r) => `${String(r['id'])}\u0000${String(r['token'])}`));
          return parsed.filter((l) => !lost.has(`${l.jobId}\u0000${l.token}`));
        },
        // As `complete`: one statement that refuses a lost lease by matching no row.
        { autocommit: true, optimistic: true },
      ),

    /** Stores exactly the caller's decision: requeue at `retry.at` (or superseded), or dead. */
    fail: (lease: Lease, error: SerializedError, retry: { at: Date } | 'dead') =>
      runner.run(
        'jobs.fail',
        async ({ db, now }) => {
          const current = parseLease(lease, 'lease');
          const lastError = parseInput(SerializedErrorSchema, error, 'job error');
          const next = parseRetryDecision(retry);
          const params = [current.jobId, current.token, enc.json(lastError), enc.time(now)];
          const failing = `failing_since = coalesce(j.failing_since, $4::timestamptz), parked_on = NULL`;
          const { rows } =
            next === 'dead'
              ? await db.query(
                  `UPDATE ${table} AS j SET state = 'dead', last_error = $3::jsonb, ${failing}, ${unlock}, updated_at = $4::timestamptz, finished_at = $4::timestamptz
                   WHERE ${held} RETURNING j.id`,
                  params,
                )
              : await db.query(
                  `UPDATE ${table} AS j SET state = ${requeueState(schema)}, last_error = $3::jsonb, run_at = $5::timestamptz, ${failing}, ${unlock},
                     updated_at = $4::timestamptz, finished_at = CASE WHEN ${requeueState(schema)} = 'cancelled' THEN $4::timestamptz END
                   WHERE ${held} RETURNING j.id`,
                  [...params, enc.time(next)],
                );
          return rows.length > 0;
        },
        retryOnTwin,
      ),

    /**
     * One `UPDATE … FROM unnest(…)`, each row written as `fail`, `release` or `park` would write it (its columns chosen
     * by the row's outcome); a lost lease matches no row. A requeue racing its twin's enqueue is run again, as `fail`.
     */
    settleMany: (settlements: readonly JobSettlement[]) =>
      runner.run(
        'jobs.settleMany',
        async ({ db, now }) => {
          const parsed = parseJobSettlements(settlements);
          if (parsed.length === 0) return [];
          const requeued = requeueState(schema);
          const { rows } = await db.query(
            `UPDATE ${table} AS j
             SET state = CASE WHEN s.outcome = 'dead' THEN 'dead' ELSE ${requeued} END,
                 attempts = CASE WHEN s.outcome IN ('released', 'parked') THEN greatest(0, j.attempts - 1) ELSE j.attempts END,
                 last_error = coalesce(s.error, j.last_error),
                 run_at = coalesce(s.run_at, j.run_at),
                 failing_since = CASE WHEN s.outcome = 'released' THEN j.failing_since ELSE coalesce(j.failing_since, $7::timestamptz) END,
                 parked_on = CASE WHEN s.outcome = 'released' THEN j.parked_on ELSE s.parked_on END,
                 ${unlock}, updated_at = $7::timestamptz,
                 finished_at = CASE WHEN s.outcome = 'dead' OR ${requeued} = 'cancelled' THEN $7::timestamptz END
             FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::text[]) AS s(id, token, outcome, error, run_at, parked_on)
             WHERE ${heldBy('s')}
             RETURNING j.id, s.token`,
            [
              parsed.map((x) => x.lease.jobId),
              parsed.map((x) => x.lease.token),
              parsed.map((x) => x.outcome),
              parsed.map((x) => (x.outcome === 'retry' || x.outcome === 'dead' ? enc.json(x.error) : null)),
              parsed.map((x) => (x.outcome === 'retry' ? enc.time(x.at) : x.outcome === 'parked' ? enc.time(x.parking.until) : null)),
              parsed.map((x) => (x.outcome === 'parked' ? x.parking.panelId : null)),
              enc.time(now),
            ],
          );
          const done = new Set(rows.map((r) => `${String(r['id'])}\u0000${String(r['token'])}`));
          return parsed
            .filter((x) => done.has(`${x.lease.jobId}\u0000${x.lease.token}`))
            .map((x) => ({ jobId: x.lease.jobId, token: x.lease.token }));
        },
        { autocommit: true, ...retryOnTwin },
      ),

    /** Back to the queue without counting the attempt. */
    release: (lease: Lease) =>
      runner.run(
        'jobs.release',
        async ({ db, now }) => {
          const current = parseLease(lease, 'lease');
          const { rows } = await db.query(
            `UPDATE ${table} AS j SET state = ${requeueState(schema)}, attempts = greatest(0, j.attempts - 1), ${unlock},
               updated_at = $3::timestamptz, finished_at = CASE WHEN ${requeueState(schema)} = 'cancelled' THEN $3::timestamptz END
             WHERE ${held} RETURNING j.id`,
            [current.jobId, current.token, enc.time(now)],
          );
          return rows.length > 0;
        },
        retryOnTwin,
      ),

    /** Back to the queue without counting the attempt, due at `until`, parked on the panel. */
    park: (lease: Lease, parking: JobParking) =>
      runner.run(
        'jobs.park',
        async ({ db, now }) => {
          const current = parseLease(lease, 'lease');
          const { panelId, until } = parseJobParking(parking);
          const { rows } = await db.query(
            `UPDATE ${table} AS j SET state = ${requeueState(schema)}, attempts = greatest(0, j.attempts - 1), run_at = $4::timestamptz,
               parked_on = $5, failing_since = coalesce(j.failing_since, $3::timestamptz), ${unlock},
               updated_at = $3::timestamptz, finished_at = CASE WHEN ${requeueState(schema)} = 'cancelled' THEN $3::timestamptz END
             WHERE ${held} RETURNING j.id`,
            [current.jobId, current.token, enc.time(now), enc.time(until), panelId],
          );
          return rows.length > 0;
        },
        retryOnTwin,
      ),

    /** One statement over the partial index of parked jobs: due now (never later than before), no longer parked. */
    unpark: (panelId: string) =>
      runner.run('jobs.unpark', async ({ db, now }) => {
        const { rows } = await db.query(
          `UPDATE ${table} AS j SET parked_on = NULL, run_at = LEAST(j.run_at, $2::timestamptz), updated_at = $2::timestamptz
           WHERE j.state = 'queued' AND j.parked_on = $1 RETURNING j.id`,
          [parseParkingPanelId(panelId, 'unpark'), enc.time(now)],
        );
        return rows.length;
      }),

    /**
     * Requeues (or supersedes, or kills when out of attempts) every running job whose lease ended
     * at or before now on the lease clock, each with a `LEASE_LOST` error naming it. Rows another reaper holds are
     * skipped, so replicas reaping at once never count a job twice.
     */
    reapExpired: () =>
      runner.run(
        'jobs.reapExpired',
        async ({ db, now }) => {
          const expired = await db.query(
            `SELECT id FROM ${table} WHERE state = 'running' AND lease_expires_at <= ${onServer ? 'clock_timestamp()' : '$1::timestamptz'}
             ORDER BY lease_expires_at, id FOR UPDATE SKIP LOCKED`,
            onServer ? [] : [enc.time(now)],
          );
          if (expired.rows.length === 0) return 0;
          const ids = expired.rows.map((r) => String(r['id']));
          const { rows } = await db.query(
            `UPDATE ${table} AS j
             SET state = CASE WHEN j.attempts >= j.max_attempts THEN 'dead' ELSE ${requeueState(schema)} END,
                 last_error = lost.error, ${unlock}, updated_at = $3::timestamptz,
                 finished_at = CASE WHEN j.attempts >= j.max_attempts OR ${requeueState(schema)} = 'cancelled' THEN $3::timestamptz END
             FROM unnest($1::text[], $2::jsonb[]) AS lost(id, error)
             WHERE j.id = ANY($1::text[]) AND j.id = lost.id
             RETURNING j.id`,
            [ids, ids.map((id) => enc.json(new LeaseLostError(id).toJSON())), enc.time(now)],
          );
          return rows.length;
        },
        retryOnTwin,
      ),
  };
}
