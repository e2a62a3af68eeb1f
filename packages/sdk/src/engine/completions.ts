import type { Lease } from '../domain/job.js';
import { MAX_ROWS_PER_CALL } from '../ports/storage.js';
import type { StoragePort } from '../ports/storage.js';

interface Waiting {
  lease: Lease;
  resolve: (held: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * A worker's job completions, grouped: every job that succeeds while a `jobs.completeMany` is under way goes in
 * the next one (group commit, no timer), so a batch's jobs, and the jobs of groups settling at once, cost one
 * statement rather than one each. Each lease is still fenced on its own: `complete` answers whether that job's
 * lease was held.
 */
export class Completions {
  #waiting: Waiting[] = [];
  #flushing = false;

  constructor(private readonly storage: StoragePort) {}

  /** Completes the lease's job; false when the lease was lost (nothing changed). */
  complete(lease: Lease): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#waiting.push({ lease, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    // Completions asked for in the same turn (a group's jobs) go together.
    await Promise.resolve();
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_ROWS_PER_CALL);
      try {
        const done = await this.storage.jobs.completeMany(batch.map((w) => w.lease));
        const held = new Set(done.map((l) => `${l.jobId}\u0000${l.token}`));
        for (const w of batch) w.resolve(held.has(`${w.lease.jobId}\u0000${w.lease.token}`));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.#flushing = false;
  }
}
