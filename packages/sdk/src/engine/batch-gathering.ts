/**
 * Gathers batchable jobs of one batch key (one target of one panel) across claims, as a database's
 * group commit gathers transactions: a key's batch starts at once when no batch of that key is on its
 * way to the panel; while one is, the jobs that arrive, from any claim, wait and are started together
 * as the next batch as soon as the one ahead has had its first panel call answered. A target with a
 * write in flight so collects its next batch instead of queueing many small ones, and the job of an
 * idle target waits for nothing (there is no timer).
 */
export class BatchGathering<T> {
  readonly #keys = new Map<string, { waiting: Waiting<T>[]; busy: boolean }>();

  /**
   * @param maxBatchSize most items started in one batch.
   * @param launch runs one batch; it calls `called` once the batch's first panel call has settled
   *   (calling it again, or not at all, is harmless: the batch's end counts as called too).
   */
  constructor(
    private readonly maxBatchSize: number,
    private readonly launch: (key: string, items: T[], called: () => void) => Promise<void>,
  ) {}

  /**
   * Queues `item` under `key` without starting anything (so one claim's jobs of a key are one batch);
   * `flush(key)` starts it. Resolves when the batch that took it has run.
   */
  add(key: string, item: T): Promise<void> {
    let entry = this.#keys.get(key);
    if (entry === undefined) {
      entry = { waiting: [], busy: false };
      this.#keys.set(key, entry);
    }
    const waiting = entry.waiting;
    return new Promise<void>((resolve, reject) => void waiting.push({ item, resolve, reject }));
  }

  /** Starts the next batch of `key`, unless a batch of it is still waiting for its first panel answer. */
  flush(key: string): void {
    const entry = this.#keys.get(key);
    if (entry === undefined || entry.busy) return;
    if (entry.waiting.length === 0) {
      this.#keys.delete(key);
      return;
    }
    const batch = entry.waiting.splice(0, this.maxBatchSize);
    entry.busy = true;
    let freed = false;
    const called = () => {
      if (freed) return;
      freed = true;
      entry.busy = false;
      this.flush(key);
    };
    let run: Promise<void>;
    try {
      run = this.launch(
        key,
        batch.map((w) => w.item),
        called,
      );
    } catch (error) {
      run = Promise.reject(error);
    }
    run.then(
      () => {
        called();
        for (const w of batch) w.resolve();
      },
      (error: unknown) => {
        called();
        for (const w of batch) w.reject(error);
      },
    );
  }

  /** How many keys have a batch in flight or items waiting (for tests). */
  get size(): number {
    return this.#keys.size;
  }
}

interface Waiting<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}
