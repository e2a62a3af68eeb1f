/** How long Stripe and YooKassa answer a repeated idempotency key with the first request's result: 24 hours. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

/** What a key recalls for a request: the first answer, or `mismatch` when another request was first sent under it. */
export type Recalled<T> = { answer: T } | 'mismatch';

/**
 * A gateway simulator's memory of idempotency keys: the first answer to a key is given again to the same request
 * under that key for `IDEMPOTENCY_WINDOW_MS`, another request under it is a `mismatch` (the gateway refuses it), then
 * the key is forgotten (a request with it is a new request), as Stripe and YooKassa document. `elapse` moves the
 * simulator's clock on, so a test can send a retry a day later.
 */
export class IdempotencyKeys<T> {
  private readonly answers = new Map<string, { request: string; answer: T; at: number }>();
  private offsetMs = 0;

  /** The simulator's now (wall clock plus what `elapse` added). */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the simulator's clock `ms` on. */
  elapse(ms: number): void {
    this.offsetMs += ms;
  }

  /** What `key` recalls for `request` (see {@link requestPrint}), unless its window has passed or it is new. */
  recall(key: string, request: string): Recalled<T> | undefined {
    const kept = this.answers.get(key);
    if (kept === undefined) return undefined;
    if (this.now() - kept.at >= IDEMPOTENCY_WINDOW_MS) {
      this.answers.delete(key);
      return undefined;
    }
    return kept.request === request ? { answer: kept.answer } : 'mismatch';
  }

  /** Keeps `answer` to `request` under `key` from now. */
  set(key: string, request: string, answer: T): void {
    this.answers.set(key, { request, answer, at: this.now() });
  }
}

/** A request as the gateway compares it under one key: its endpoint and its parameters, whatever their order. */
export function requestPrint(endpoint: string, parameters: unknown): string {
  return `${endpoint} ${JSON.stringify(sorted(parameters))}`;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sorted(v)]),
  );
}
