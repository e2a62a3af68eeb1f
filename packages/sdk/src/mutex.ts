/**
 * A FIFO async mutex: `run` calls execute one at a time, in the order they were made; a call
 * that throws releases the lock all the same. The memory storage serialises every operation
 * through one, the PostgreSQL storage its single-connection drivers.
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every earlier call has settled; resolves or rejects with its result. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
