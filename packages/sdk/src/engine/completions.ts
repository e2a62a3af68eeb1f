import type { Lease } from '../domain/job.js';
import { MAX_ROWS_PER_CALL } from '../ports/storage.js';
import type { JobSettlement, StoragePort } from '../ports/storage.js';

/** The ids of the jobs of one write whose lease was held (they were settled); a job of the write not in it was not. */
export type HeldJobs = ReadonlySet<string>;

/** Items written together, and the answer all of them share. */
interface Batch<T> {
  readonly items: T[];
  /** The jobs of `items`: a write settles a job once, so a second item of one job starts the next batch. */
  readonly jobIds: Set<string>;
  readonly answer: Promise<HeldJobs>;
  resolve(held: HeldJobs): void;
  reject(error: unknown): void;
}

/**
 * Writes of one kind grouped as a database's group commit groups transactions: every item asked for while a write is
 * under way, or before the event loop's next turn, goes in the next one (no timer), at most {@link MAX_ROWS_PER_CALL} a
 * write (bench/queue: a claim's 1 000 no-op jobs settled in one write rather than three). The items of a write share one
 * answer (one promise, not one an item: a worker settling 20 000 jobs a second made as many promises and closures
 * here, bench/queue), which says of each job whether its lease was held.
 */
class GroupedLeaseWrites<T> {
  /** Batches not written yet, oldest first; items join the last. */
  readonly #pending: Batch<T>[] = [];
  #flushing = false;

  constructor(
    private readonly leaseOf: (item: T) => Lease,
    private readonly write: (items: T[]) => Promise<Lease[]>,
  ) {}

  /** Writes the item with the others asked for meanwhile; its job is in the answer when its lease was held. */
  add(item: T): Promise<HeldJobs> {
    const jobId = this.leaseOf(item).jobId;
    let batch = this.#pending[this.#pending.length - 1];
    if (batch === undefined || batch.items.length >= MAX_ROWS_PER_CALL || batch.jobIds.has(jobId)) {
      batch = newBatch<T>();
      this.#pending.push(batch);
    }
    batch.items.push(item);
    batch.jobIds.add(jobId);
    if (!this.#flushing) void this.#flush();
    return batch.answer;
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    // Writes asked for until the event loop's next turn go together: a group's jobs, and every job that finished in
    // this turn's chain of promises (a worker's local queue runs short jobs back to back without leaving it).
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let batch = this.#pending.shift(); batch !== undefined; batch = this.#pending.shift()) {
      try {
        const done = await this.write(batch.items);
        // The storage answers with leases it was given, and a batch holds one lease a job: the job's id says which.
        batch.resolve(new Set(done.map((lease) => lease.jobId)));
      } catch (error) {
        batch.reject(error);
      }
    }
    this.#flushing = false;
  }
}

function newBatch<T>(): Batch<T> {
  let resolve!: (held: HeldJobs) => void;
  let reject!: (error: unknown) => void;
  const answer = new Promise<HeldJobs>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { items: [], jobIds: new Set(), answer, resolve, reject };
}

/**
 * A worker's settlements, grouped: jobs that succeed go in one `jobs.completeMany`, jobs that fail, die, are parked or
 * handed back in one `jobs.settleMany`, each gathering every job that settles while the previous write of its kind is
 * under way. So a batch's jobs, and the jobs of groups settling at once, cost one statement rather than one each.
 */
export class Completions {
  readonly #completed: GroupedLeaseWrites<Lease>;
  readonly #settled: GroupedLeaseWrites<JobSettlement>;

  constructor(storage: StoragePort) {
    this.#completed = new GroupedLeaseWrites(
      (lease) => lease,
      (leases) => storage.jobs.completeMany(leases),
    );
    this.#settled = new GroupedLeaseWrites(
      (s) => s.lease,
      (items) => storage.jobs.settleMany(items),
    );
  }

  /** Completes the lease's job; the answer holds its id unless the lease was lost (nothing changed). */
  complete(lease: Lease): Promise<HeldJobs> {
    return this.#completed.add(lease);
  }

  /** Settles the job as `settlement` says (failed, dead, parked, released); the answer holds its id unless the lease was lost. */
  settle(settlement: JobSettlement): Promise<HeldJobs> {
    return this.#settled.add(settlement);
  }
}
