/**
 * One lane per call: requests sent under one call's signal run one after another, in the order sent.
 *
 * The engine admits a panel call only with one of the panel's slots, and a slot stands for one request
 * in flight at the panel. An adapter that fans a call out (a batch of 50 reads each client's traffic)
 * would otherwise put 50 requests on the panel for one slot. Lanes are keyed by the signal, so
 * concurrent calls (each with its own context) still run side by side; a lane is forgotten when its
 * last request settles. A request waiting in a lane holds no listener on the signal: it checks the
 * signal when its turn comes.
 */
export class CallLanes {
  readonly #tails = new WeakMap<AbortSignal, Promise<unknown>>();
  #pending = 0;

  /** Requests waiting in a lane or running. */
  get pending(): number {
    return this.#pending;
  }

  /** Runs `task` after every task sent before it under `signal` has settled. */
  run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(signal);
    this.#pending++;
    const start = () => new Promise<T>((resolve) => resolve(task()));
    const result = (previous === undefined ? start() : previous.then(start, start)).finally(() => {
      this.#pending--;
    });
    const tail = result.catch(() => undefined);
    this.#tails.set(signal, tail);
    void tail.then(() => {
      if (this.#tails.get(signal) === tail) this.#tails.delete(signal);
    });
    return result;
  }
}
