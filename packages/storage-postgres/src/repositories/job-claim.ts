import { parseClaimRequest } from '@panelkit/sdk/storage';
import type { ClaimedJob } from '@panelkit/sdk';
import type { ClaimRequest, ParsedClaimRequest } from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import type { RepositoryContext } from '../internal/runner.js';
import { enc } from '../internal/sql.js';
import { CLAIM_IN_INDEX_ORDER, CLAIM_IN_INDEX_ORDER_AHEAD, claimPickStatements, type ClaimPickStatements } from './job-claim-pick.js';
import { claimedColumns, claimedJobFromRow } from './job-rows.js';

function compareClaimOrder(a: ClaimedJob, b: ClaimedJob): number {
  const x = a.job;
  const y = b.job;
  return x.priority - y.priority || x.runAt.getTime() - y.runAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}

/**
 * `JobRepository.claim` on PostgreSQL: one transaction of the pick, committed in its own round trip on `fromPgPool`
 * (the claim's settings, `CLAIM_IN_INDEX_ORDER`, ride with the pick and `BEGIN`, and `COMMIT` after it:
 * `SqlQueryable.commitWithNext`), and a second one when a picked job has a serialisation key or the queue's head is
 * held (steps 2–3, the commit riding with the last statement the same way):
 *
 * 1. Pick the claim's jobs (`claimPickStatements`; when the queue's head is held, the statement `pastHeld` in the second
 *    transaction): the window of due queued jobs in claim order, each of its batch keys widened to the key's first
 *    `batchLimit` claimable jobs, locked with `FOR UPDATE SKIP LOCKED` (concurrent claimers take disjoint rows without
 *    waiting), skipping dedupe keys with a running job and, as a first cut from this statement's snapshot,
 *    serialisation keys with a running job. The usual pick (the walk, the head not held) marks its jobs without a
 *    serialisation key running in the same statement, with a fresh lease token (one a claim), leased until `leaseMs`
 *    from now on the lease clock (the server's by default, see `PostgresStorageOptions.leaseClock`); nothing more is
 *    needed for them. Its jobs with a key are only named: their row locks end with its transaction.
 * 2. For each serialisation key among the jobs left, `pg_try_advisory_xact_lock(<schema's namespace>,
 *    hashtext(key))`; a key another claim holds right now is dropped (never waited for). Where the connection defers
 *    writes (`SqlQueryable.defer`, `fromPgPool`), this statement rides in step 3's round trip (with `BEGIN` and
 *    `COMMIT`: the keyed claim's second transaction is one round trip) and leaves the keys it locked in a setting of
 *    the transaction (`panelkit.claim_locked`), which step 3 reads; elsewhere step 3 is given only their jobs.
 * 3. Mark the jobs left running, leaving out, in the same statement, those whose key has a running job (or was not
 *    locked in step 2), and those no longer queued and due (another claim took them between the two transactions). That
 *    statement's snapshot is taken after the locks were granted, which is what makes the guarantee hold across
 *    connections: whoever last made a job of the key running did so in a transaction that held this lock, and a
 *    transaction's locks are released only after its commit is visible, so this snapshot sees that job. (The first
 *    cut in step 1 cannot: its snapshot predates the lock.) It relies on READ COMMITTED, PostgreSQL's default, where
 *    each statement takes a fresh snapshot; the statement's own updates are not in its snapshot, so several picked
 *    jobs of one free key all go running. The advisory locks end with the transaction, after the `running` rows are
 *    committed; from then on those rows hold the key.
 *
 * With `awaitWakeMs` (a worker sleeping on `jobsQueued`), a claim that takes jobs takes the worker off
 * `job_waiters`, and one that takes nothing puts it there, until `awaitWakeMs` from now, if this storage listens now
 * (a wake for it would be lost otherwise): the next job queued wakes it alone (migration 22), if the job is of one of
 * the claim's types (migration 36). The walk does so itself
 * when its window is empty (it then holds no row lock while it may wait for a commit that is taking the worker's
 * row); any other claim that takes nothing, after its commit. Either way the row is seen by others from after the
 * claim's snapshot, so a job committed meanwhile either was seen by the claim, or its commit took another idle worker
 * or, finding none, told every worker, this one included.
 *
 * Steps 2–3 run only when a picked job has a serialisation key (or the head was held). Several queued jobs of one
 * free key may be picked together: they all go to this claimer. Two keys with the same `hashtext` only make claims
 * skip each other's key for a moment, never run together. A claim that drops jobs in steps 2–3 returns fewer than
 * `limit`; the next claim gets the rest.
 */
export function claimJobs({ runner, schema, leaseClock, listening }: RepositoryContext): (request: ClaimRequest) => Promise<ClaimedJob[]> {
  const { pick, walks, lockKeys, lockKeysKept, markKeyed, awaitWakeSql } = claimStatements(schema, leaseClock);
  const lockNamespace = `panelkit.jobs.serial:${schema}`;
  const toClaimed = (row: Record<string, unknown>, workerId: string, token: string, now: Date): ClaimedJob => {
    const job = claimedJobFromRow(row, workerId, token, now);
    return { job, lease: { jobId: job.id, token } };
  };
  /** The claim's settings (`CLAIM_IN_INDEX_ORDER`), in the next statement's round trip where the connection can. */
  const inIndexOrder = async (db: SqlQueryable) => {
    if (db.sendAhead === undefined) await db.query(CLAIM_IN_INDEX_ORDER, ['off']);
    else for (const command of CLAIM_IN_INDEX_ORDER_AHEAD) db.sendAhead(command);
  };
  const claim = async ({ workerId, limit, leaseMs, types, batchLimit, awaitWakeMs }: ParsedClaimRequest) => {
    const token = globalThis.crypto.randomUUID();
    // Step 1, its transaction committed in the walk's round trip where the connection can (`commitWithNext`).
    const walk = await runner.run('jobs.claim', async ({ db, now }) => {
      const params = [enc.time(now), types, limit, batchLimit];
      const lease = leaseClock === 'database' ? leaseMs : enc.time(new Date(now.getTime() + leaseMs));
      await inIndexOrder(db);
      db.commitWithNext?.();
      const { rows } = await db.query(
        awaitWakeMs === null ? walks.plain : walks.awaitWake,
        awaitWakeMs === null
          ? [...params, workerId, lease, token]
          : [...params, workerId, lease, token, listening?.() === true ? awaitWakeMs : null],
      );
      return { rows, now, params, lease };
    });
    const { now, params, lease } = walk;
    const claimed = walk.rows.filter((r) => r['pick'] === null).map((r) => toClaimed(r, workerId, token, now));
    const waiting = walk.rows.some((r) => r['pick'] === 'waiting');
    const blocked = walk.rows.some((r) => r['pick'] === 'blocked');
    const keyed = walk.rows
      .filter((r) => r['pick'] === 'keyed')
      .map((r) => ({ id: String(r['pick_id']), key: r['pick_key'] as string | null }));
    if (!blocked && keyed.length === 0) return { claimed, waiting };
    // Steps 2–3 (and, the head held, the pick past it), in a transaction of their own.
    const rows = await runner.run(
      'jobs.claim',
      async ({ db }) => {
        let picked = keyed;
        if (blocked) {
          await inIndexOrder(db);
          picked = (await db.query(pick.pastHeld, params)).rows.map((r) => ({
            id: String(r['id']),
            key: r['serial_key'] as string | null,
          }));
        }
        const keys = [...new Set(picked.map((r) => r.key).filter((k): k is string => k !== null))];
        if (keys.length > 0 && db.defer !== undefined) {
          // Step 2 sent ahead of step 3 in one round trip: run in order, step 3's snapshot still follows the locks.
          db.defer(lockKeysKept, [keys, lockNamespace]);
          db.commitWithNext?.();
          const marked = awaitWakeMs === null ? markKeyed.lockedPlain : markKeyed.lockedAwaitWake;
          return (await db.query(marked, [picked.map((r) => r.id), workerId, lease, enc.time(now), token])).rows;
        }
        let locked = new Set<string>();
        if (keys.length > 0) {
          const { rows } = await db.query(lockKeys, [keys, lockNamespace]);
          locked = new Set(rows.map((r) => String(r['k'])));
        }
        const ids = picked.filter((r) => r.key === null || locked.has(r.key)).map((r) => r.id);
        if (ids.length === 0) return [];
        // Step 3's check of running jobs is this statement's `NOT EXISTS`, on a snapshot taken after step 2's locks. The
        // walk's row locks ended with its transaction: a job another claim took since, or one no longer due, is left.
        db.commitWithNext?.();
        return (await db.query(awaitWakeMs === null ? markKeyed.plain : markKeyed.awaitWake, [ids, workerId, lease, enc.time(now), token]))
          .rows;
      },
      { defers: true },
    );
    return { claimed: [...claimed, ...rows.map((r) => toClaimed(r, workerId, token, now))], waiting };
  };
  // After the claim's commit, so no lock of the claim is held while this waits for a commit that is taking the row.
  const awaitWake = (workerId: string, awaitWakeMs: number, types: readonly string[] | null) =>
    runner.run('jobs.await_wake', ({ db }) => db.query(awaitWakeSql, [workerId, awaitWakeMs, types]), { single: true });
  return async (request: ClaimRequest) => {
    const parsed = parseClaimRequest(request);
    const { claimed, waiting } = await claim(parsed);
    const { workerId, awaitWakeMs, types } = parsed;
    if (claimed.length === 0 && !waiting && awaitWakeMs !== null && listening?.() === true) await awaitWake(workerId, awaitWakeMs, types);
    return claimed.sort(compareClaimOrder);
  };
}

/** The transaction's setting in which a deferred step 2 leaves the keys it locked, as a JSON array, for step 3. */
const CLAIM_LOCKED_SETTING = 'panelkit.claim_locked';

/** A claim's statement texts over one schema and lease clock (see {@link claimJobs}). */
interface ClaimStatements {
  readonly pick: ClaimPickStatements;
  /** Step 1: the walk, marking its jobs without a serialisation key running; without and with `awaitWakeMs`. */
  readonly walks: { readonly plain: string; readonly awaitWake: string };
  /** Step 2: the advisory locks of the picked jobs' serialisation keys. */
  readonly lockKeys: string;
  /** Step 2 deferred: the same locks, the keys locked kept in the transaction's setting `panelkit.claim_locked`. */
  readonly lockKeysKept: string;
  /**
   * Step 3: the jobs left marked running, without and with `awaitWakeMs`; `locked…`: of the jobs given, those whose key
   * `lockKeysKept` locked (or without one).
   */
  readonly markKeyed: {
    readonly plain: string;
    readonly awaitWake: string;
    readonly lockedPlain: string;
    readonly lockedAwaitWake: string;
  };
  /** A claim that took nothing puts its worker on `job_waiters` after its commit. */
  readonly awaitWakeSql: string;
}

/**
 * A claim's statement texts, built once per schema and lease clock: {@link claimJobs} runs for every storage
 * transaction that reads `tx.jobs`, and building them there was most of the cost of a transaction's repositories
 * (bench/rush, a lone purchase's jobs). A process uses a schema or two; tests use many, so only the last
 * {@link CACHED_SCHEMAS} are kept.
 */
const claimStatementsCache = new Map<string, ClaimStatements>();
const CACHED_SCHEMAS = 64;

function claimStatements(schema: string, leaseClock: RepositoryContext['leaseClock']): ClaimStatements {
  const cacheKey = `${leaseClock} ${schema}`;
  let statements = claimStatementsCache.get(cacheKey);
  if (statements === undefined) {
    if (claimStatementsCache.size >= CACHED_SCHEMAS) claimStatementsCache.delete(claimStatementsCache.keys().next().value!);
    statements = buildClaimStatements(schema, leaseClock);
    claimStatementsCache.set(cacheKey, statements);
  }
  return statements;
}

function buildClaimStatements(schema: string, leaseClock: RepositoryContext['leaseClock']): ClaimStatements {
  const table = `${schema}.jobs`;
  const waiters = `${schema}.job_waiters`;
  const pick = claimPickStatements(table);
  /** The lease's end; parameter `n` is the lease in ms on the server's clock, or its end on the storage's clock. */
  const leaseEnd = (n: number) =>
    leaseClock === 'database' ? `clock_timestamp() + $${n}::integer * interval '1 millisecond'` : `$${n}::timestamptz`;
  /**
   * One lease token a claim (parameter `token`, a random UUID made here), not one a job: a lease is the job's id and the
   * token, and a claim takes a job once, so the pair is new at every claim. A random UUID a row cost the server ~2.5 µs
   * a job (bench/queue), a fifth of the claim's write, and reading it back in every row more of this process's time.
   */
  const setRunning = (worker: number, lease: number, now: number, token: number) =>
    `state = 'running', attempts = j.attempts + 1, locked_by = $${worker}, lease_token = $${token}::text,
     lease_expires_at = ${leaseEnd(lease)}, updated_at = $${now}::timestamptz`;
  // A worker that took jobs is no longer idle; a row a commit is taking now (locked) is going anyway.
  const notWaiting = (worker: number) => `DELETE FROM ${waiters} WHERE worker_id IN (
    SELECT worker_id FROM ${waiters} WHERE worker_id = $${worker} FOR UPDATE SKIP LOCKED)`;
  const noJobColumns = `(SELECT ${claimedColumns('n')} FROM ${table} AS n WHERE false) AS n ON true`;
  /**
   * The walk (`pick.walkCtes`: $1 now, $2 types, $3 limit, $4 batch limit) that marks its jobs without a key running
   * ($5 the worker, $6 the lease, $7 the token). Its rows, by `pick`: null for a claimed job (its `claimedColumns`; most
   * rows, so the column that tells them apart costs them nothing to read), `keyed` (`pick_id`, `pick_key`: picked, for
   * steps 2–3), `blocked` (the head is held: nothing picked, run `pastHeld`), `waiting` (the worker was put on
   * `job_waiters`, with `awaitWakeMs`: $8 how long, or null when this storage does not listen).
   *
   * The update reaches each picked row by the `ctid` its lock returned (a TID scan, one buffer), not by its id again
   * (a primary-key probe, four: a fifth of the claim's buffer reads). The row is locked by this statement, so that
   * version is the one to update; were it not, the update would match nothing and the job stay queued. The `ctid`s
   * go to one TID scan as one array, not joined a row at a time: each rescan of a TID scan asks the kernel for the
   * table's size (an `lseek`), which was 3.5–5.5% of the server's CPU in bench/queue's run phase. (On a table of a
   * few hundred rows the planner reads its pages instead, which costs no more there.)
   */
  const walkAndClaim = (awaitWake: boolean) => `${pick.walkCtes}, claimed AS (
      UPDATE ${table} AS j SET ${setRunning(5, 6, 1, 7)}
      WHERE j.ctid = ANY (ARRAY(SELECT p.ctid FROM picked AS p WHERE p.serial_key IS NULL))
      RETURNING ${claimedColumns('j')}
    )${
      awaitWake
        ? `, not_waiting AS (${notWaiting(5)} AND EXISTS (SELECT 1 FROM claimed)
    ), waiting AS (
      INSERT INTO ${waiters} (worker_id, until, types)
      SELECT $5, clock_timestamp() + $8::integer * interval '1 millisecond', $2::text[]
      WHERE $8::integer IS NOT NULL AND NOT EXISTS (SELECT 1 FROM window_jobs) AND NOT (SELECT yes FROM blocked)
      ON CONFLICT (worker_id) DO UPDATE SET until = EXCLUDED.until, types = EXCLUDED.types
      RETURNING worker_id
    )`
        : ''
    }
    SELECT NULL::text AS pick, NULL AS pick_id, NULL AS pick_key, c.* FROM claimed AS c
    UNION ALL
    SELECT 'keyed', p.id, p.serial_key, n.* FROM picked AS p LEFT JOIN ${noJobColumns} WHERE p.serial_key IS NOT NULL
    UNION ALL
    SELECT 'blocked', NULL, NULL, n.* FROM blocked AS b LEFT JOIN ${noJobColumns} WHERE b.yes${
      awaitWake
        ? `
    UNION ALL
    SELECT 'waiting', NULL, NULL, n.* FROM waiting AS w LEFT JOIN ${noJobColumns}`
        : ''
    }`;
  const walks = { plain: walkAndClaim(false), awaitWake: walkAndClaim(true) };
  /**
   * Step 3's check of running jobs is the statement's `NOT EXISTS`, on a snapshot taken after step 2's locks (see
   * {@link claimJobs}).
   */
  const markKeyedSql = (awaitWake: boolean, lockedKept: boolean) =>
    `${awaitWake ? `WITH not_waiting AS (${notWaiting(2)}) ` : ''}UPDATE ${table} AS j SET ${setRunning(2, 3, 4, 5)}
           WHERE j.id = ANY($1::text[]) AND j.state = 'queued' AND j.run_at <= $4::timestamptz
             AND (j.serial_key IS NULL OR (${
               lockedKept
                 ? `j.serial_key IN (SELECT jsonb_array_elements_text(
                 coalesce(nullif(current_setting('${CLAIM_LOCKED_SETTING}', true), ''), '[]')::jsonb)) AND `
                 : ''
             }NOT EXISTS (
               SELECT 1 FROM ${table} AS r WHERE r.serial_key = j.serial_key AND r.state = 'running')))
           RETURNING ${claimedColumns('j')}`;
  return {
    pick,
    walks,
    lockKeys: `SELECT k FROM unnest($1::text[]) AS k WHERE pg_try_advisory_xact_lock(hashtext($2), hashtext(k))`,
    lockKeysKept: `SELECT set_config('${CLAIM_LOCKED_SETTING}', coalesce(jsonb_agg(k)::text, '[]'), true)
           FROM unnest($1::text[]) AS k WHERE pg_try_advisory_xact_lock(hashtext($2), hashtext(k))`,
    markKeyed: {
      plain: markKeyedSql(false, false),
      awaitWake: markKeyedSql(true, false),
      lockedPlain: markKeyedSql(false, true),
      lockedAwaitWake: markKeyedSql(true, true),
    },
    awaitWakeSql: `INSERT INTO ${waiters} (worker_id, until, types) VALUES ($1, clock_timestamp() + $2::integer * interval '1 millisecond', $3::text[])
           ON CONFLICT (worker_id) DO UPDATE SET until = EXCLUDED.until, types = EXCLUDED.types`,
  };
}
