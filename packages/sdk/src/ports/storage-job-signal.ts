/**
 * Optional on a `StoragePort` (`jobsQueued`): tells subscribers that jobs are waiting, so a started worker claims
 * them at once instead of on its next poll. A storage without it is polled, as before; the poll stays the safety net
 * either way.
 *
 * A subscriber is called, with no arguments:
 * - once as soon as the storage listens for it (at once, in a later microtask, when it already does): from then on
 *   it misses no signal; and again each time the storage listens again after losing what it listens on (a database
 *   storage's connection): signals sent meanwhile are lost, so look now;
 * - after each commit that left a job queued and due when it was written (a new job due now, a queued twin that
 *   took an earlier run time that is due, a job handed back by `release`, woken by `unpark`, requeued by
 *   `reapExpired` or put back by `retry`): once for the commit however many jobs it queued, in every process whose
 *   storage shares the data (on a database: every replica), the writer's included. Never before that commit, so a
 *   claim made on the call finds the job; never for a transaction that rolled back;
 * - after each commit in which a job with a dedupe or serialisation key left `running` (completed, failed, released,
 *   parked, dead, reaped) while a queued job had that key (port version 37): a claim skipped that job while the key was
 *   held, and may take it now. As above, once for the commit, and to one idle worker (of the waiting job's type) where
 *   the storage wakes one worker a job. A storage may tell of every keyed job leaving `running`.
 *
 * A storage that wakes one worker a job (PostgreSQL) may, for a job, call instead only the subscription whose
 * `workerId` is a worker it counts idle (its last claim, with `ClaimRequest.awaitWakeMs`, took nothing, within that
 * time): one such worker for each job of the commit, each called once, in the process it runs in; every subscriber
 * is still called for a commit when it counts no worker idle. Each idle worker a job: no commit wakes every worker.
 *
 * Jobs written due later (a retry's backoff, a parked job, a scheduled `runAt`) are not signalled when they come due:
 * the worker's poll finds them. A storage may call more often than this, never less while it listens. Calls never
 * come from inside a storage call or transaction; a subscriber that throws is ignored.
 */
export interface JobQueueSignal {
  /**
   * Calls `listener` as described above until the returned function is called or the storage closes. `workerId`: the
   * worker whose claims carry it, so a storage that wakes one worker a job can wake this one alone.
   */
  subscribe(listener: () => void, options?: JobQueueSubscription): () => void;
}

/** Who a {@link JobQueueSignal} subscription is for. */
export interface JobQueueSubscription {
  /** The `ClaimRequest.workerId` of the worker this subscription wakes. */
  workerId?: string;
}
