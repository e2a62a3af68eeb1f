/** How long Stripe and YooKassa answer a repeated idempotency key with the first request's result: 24 hours. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

/**
 * A gateway stand-in's memory of idempotency keys: the first answer to a key is given again to the same key for
 * `IDEMPOTENCY_WINDOW_MS`, then the key is forgotten (a request with it is a new request), as Stripe and YooKassa
 * document. `elapse` moves the stand-in's clock on, so a test can send a retry a day later.
 */
export class IdempotencyKeys<T> {
  private readonly answers = new Map<string, { answer: T; at: number }>();
  private offsetMs = 0;

  /** The stand-in's now (wall clock plus what `elapse` added). */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the stand-in's clock `ms` on. */
  elapse(ms: number): void {
    this.offsetMs += ms;
  }

  /** The answer kept for `key`, unless its window has passed. */
  get(key: string): T | undefined {
    const kept = this.answers.get(key);
    if (kept === undefined) return undefined;
    if (this.now() - kept.at < IDEMPOTENCY_WINDOW_MS) return kept.answer;
    this.answers.delete(key);
    return undefined;
  }

  /** Keeps `answer` for `key` from now. */
  set(key: string, answer: T): void {
    this.answers.set(key, { answer, at: this.now() });
  }
}
