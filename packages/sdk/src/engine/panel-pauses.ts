import { abortableSleep } from '../retry.js';

/**
 * Panels that asked this process to wait (`Retry-After` on a 429), and until when. A rate-limited panel is
 * left alone by every call, not only by the job that met the 429: the others would meet it too and only add
 * to the load it refused. Measured on this process's monotonic clock (`performance.now()`), not the
 * injected domain clock, which tests move and which says nothing about how long a panel wants to rest.
 */
export class PanelPauses {
  readonly #until = new Map<string, number>();

  /** No call to `panelId` from this process for `ms` (a longer pause already set stands). */
  pause(panelId: string, ms: number): void {
    if (!(ms > 0)) return;
    const until = performance.now() + ms;
    if ((this.#until.get(panelId) ?? 0) < until) this.#until.set(panelId, until);
  }

  /** Resolves when `panelId` is not paused; rejects with `signal`'s reason when it aborts first. */
  async wait(panelId: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const until = this.#until.get(panelId);
      if (until === undefined) return;
      const left = until - performance.now();
      if (left <= 0) {
        this.#until.delete(panelId);
        return;
      }
      await abortableSleep(left, signal);
    }
  }
}
