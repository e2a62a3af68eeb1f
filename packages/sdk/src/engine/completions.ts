import type { Lease } from '../domain/job.js';
import { MAX_ROWS_PER_CALL } from '../ports/storage.js';
import type { JobSettlement, StoragePort } from '../ports/storage.js';

interface Waiting<T> {
  item: T;
  resolve: (held: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes of one kind grouped as a database's group commit groups transactions: every item asked for while a write is
 * under way goes in the next one (no timer), at most {@link MAX_ROWS_PER_CALL} a write. Each item still answers on its
 * own whether its lease was held.
 */
class GroupedLeaseWrites<T> {
  #waiting: Waiting<T>[] = [];
  #flushing = false;

  constructor(
    private readonly leaseOf: (item: T) => Lease,
    private readonly write: (items: T[]) => Promise<Lease[]>,
  ) {}

  /** Writes the item with the others asked for meanwhile; false when its lease was lost (nothing changed). */
  add(item: T): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    // Writes asked for in the same turn (a group's jobs) go together.
    await Promise.resolve();
    while (this.#waiting.length > 0) {
      const batch = this.#take();
      try {
        const done = await this.write(batch.map((w) => w.item));
        const held = new Set(done.map((l) => `${l.jobId}\u0000${l.token}`));
        for (const w of batch) {
          const lease = this.leaseOf(w.item);
          w.resolve(held.has(`${lease.jobId}\u0000${lease.token}`));
        }
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.#flushing = false;
  }

  /** The next write's items: up to {@link MAX_ROWS_PER_CALL}, stopping before a job already in it (one write settles a job once). */
  #take(): Waiting<T>[] {
    const jobs = new Set<string>();
    let n = 0;
    while (n < this.#waiting.length && n < MAX_ROWS_PER_CALL) {
      const jobId = this.leaseOf(this.#waiting[n]!.item).jobId;
      if (jobs.has(jobId)) break;
      jobs.add(jobId);
      n++;
    }
    return this.#waiting.splice(0, n);
  }
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

  /** Completes the lease's job; false when the lease was lost (nothing changed). */
  complete(lease: Lease): Promise<boolean> {
    return this.#completed.add(lease);
  }

  /** Settles the job as `settlement` says (failed, dead, parked, released); false when the lease was lost. */
  settle(settlement: JobSettlement): Promise<boolean> {
    return this.#settled.add(settlement);
  }
}
