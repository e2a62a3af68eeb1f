/**
 * One read of an inbound shared by the calls that want it at the same time. On 3x-ui before v3 the
 * only way to one client's details is the whole inbound (every client on it), and a batch of new
 * clients asks for its links one by one, several at once: those asks share the read in flight
 * instead of each downloading the inbound. A read is shared only while it is in flight, and a write
 * through this adapter to the inbound stops sharing the reads that began before it, so a link is
 * never built from an inbound read before a change this adapter made.
 */
export class SharedReads<T> {
  readonly #inFlight = new Map<number, Promise<T>>();

  /** The read of `id` another call has in flight (`joined`), or a new one made with `read`. */
  get(id: number, read: () => Promise<T>): { value: Promise<T>; joined: boolean } {
    const shared = this.#inFlight.get(id);
    if (shared !== undefined) return { value: shared, joined: true };
    const started = read().finally(() => {
      if (this.#inFlight.get(id) === started) this.#inFlight.delete(id);
    });
    this.#inFlight.set(id, started);
    return { value: started, joined: false };
  }

  /** Later calls for `id` read anew (a write to it began or ended). */
  forget(id: number): void {
    this.#inFlight.delete(id);
  }
}
