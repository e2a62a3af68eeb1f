/** The live children of one parent signal, and the one listener that aborts them. */
interface Followers {
  readonly children: Set<AbortController>;
  readonly onAbort: () => void;
}

/**
 * One abort listener per caller signal, however many requests wait on it. A batch of 500 clients
 * sends its reads with one `CallContext`; giving each queued request its own listener on that
 * signal passes Node's listener limit (`MaxListenersExceededWarning`) and keeps 500 closures alive.
 * Each request gets a child signal instead; the first request on a parent signal registers the
 * only listener, which aborts every live child, and the last one to finish removes it.
 */
export class AbortFanout {
  readonly #parents = new WeakMap<AbortSignal, Followers>();

  /** A signal that aborts with `parent`; call `release` when the work it guards has finished. */
  follow(parent: AbortSignal): { signal: AbortSignal; release: () => void } {
    const child = new AbortController();
    if (parent.aborted) {
      child.abort(parent.reason);
      return { signal: child.signal, release: () => {} };
    }
    let followers = this.#parents.get(parent);
    if (followers === undefined) {
      const children = new Set<AbortController>();
      const onAbort = (): void => {
        this.#parents.delete(parent);
        for (const controller of children) controller.abort(parent.reason);
        children.clear();
      };
      followers = { children, onAbort };
      this.#parents.set(parent, followers);
      parent.addEventListener('abort', onAbort, { once: true });
    }
    followers.children.add(child);
    const current = followers;
    const release = (): void => {
      if (!current.children.delete(child) || current.children.size > 0) return;
      parent.removeEventListener('abort', current.onAbort);
      if (this.#parents.get(parent) === current) this.#parents.delete(parent);
    };
    return { signal: child.signal, release };
  }
}
