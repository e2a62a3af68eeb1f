/**
 * Gathers batchable jobs of one batch key (one target of one panel) across claims, as a database's
 * group commit gathers transactions: a key's batch starts at once when no batch of that key is on its
 * way to the panel; while one is, the jobs that arrive, from any claim, wait and are started together
 * as the next batch as soon as the one ahead has had its first panel call answered. A target with a
 * write in flight so collects its next batch instead of queueing many small ones, and the job of an
 * idle target waits for nothing (there is no timer). A full batch (`maxBatchSize`) gains nothing by
 * waiting: it starts at once, beside the ones in flight (the panel's queue bounds how many run).
 */
export class BatchGathering<T> {
  /** Per key: the items waiting, and how many of its batches have not had their first panel answer yet. */
  readonly #keys = new Map<string, { waiting: Waiting<T>[]; unanswered: number }>();

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
      entry = { waiting: [], unanswered: 0 };
      this.#keys.set(key, entry);
    }
    const waiting = entry.waiting;
    return new Promise<void>((resolve, reject) => void waiting.push({ item, resolve, reject }));
  }

  /**
   * Starts the next batch of `key`, unless a batch of it is still waiting for its first panel answer and
   * fewer than `maxBatchSize` items wait (a full batch starts at once).
   */
  flush(key: string): void {
    const entry = this.#keys.get(key);
    if (entry === undefined) return;
    if (entry.waiting.length === 0) {
      if (entry.unanswered === 0) this.#keys.delete(key);
      return;
    }
    while (entry.waiting.length >= this.maxBatchSize || (entry.unanswered === 0 && entry.waiting.length > 0)) this.#start(key, entry);
  }

  #start(key: string, entry: { waiting: Waiting<T>[]; unanswered: number }): void {
    const batch = entry.waiting.splice(0, this.maxBatchSize);
    entry.unanswered++;
    let freed = false;
    const called = () => {
      if (freed) return;
      freed = true;
      entry.unanswered--;
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
