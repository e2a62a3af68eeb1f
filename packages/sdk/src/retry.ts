/**
 * The one retry policy: capped exponential backoff with full jitter, honouring a panel's
 * `Retry-After`. Adapters use it for their in-call retries; the engine uses it to schedule a failed
 * job's next attempt. Both reuse one idempotency key across every attempt of one operation.
 */
import { PanelkitError, PanelRateLimitError, RetryLaterError } from './errors.js';

/** How many attempts and how long to wait between them; delays in milliseconds. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay cap before jitter for the first retry. */
  baseDelayMs: number;
  /** No computed delay exceeds this (a longer `Retry-After` is still honoured, up to `maxRetryAfterMs`). */
  maxDelayMs: number;
  /** The longest `Retry-After` obeyed; a panel asking for more is treated as failing this attempt. */
  maxRetryAfterMs: number;
}

/** 4 attempts, backoff from 250 ms capped at 10 s, `Retry-After` obeyed up to 60 s. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
});

/** Random source in [0, 1); injectable so tests are deterministic. */
export type RandomSource = () => number;

/**
 * Delay before retry number `attempt` (1 = the first retry, after the first failure).
 * Full jitter: uniform in [0, min(maxDelay, base·2^(attempt-1))]. A rate-limit error's
 * `retryAfterMs` is a floor, not a suggestion.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  error?: unknown,
  random: RandomSource = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const jittered = Math.floor(random() * (ceiling + 1));
  const retryAfter = retryAfterOf(error);
  return retryAfter === undefined ? jittered : Math.max(jittered, retryAfter);
}

/** The requested wait (a panel's `Retry-After`, a host job's `RetryLaterError`), when the error carries one. */
export function retryAfterOf(error: unknown): number | undefined {
  if (RetryLaterError.is(error)) return error.retryAfterMs;
  if (!PanelRateLimitError.is(error)) return undefined;
  return error.retryAfterMs;
}

/**
 * Whether an error may be retried under the policy after `attempt` attempts have failed.
 * Only errors marked `retryable` are; a `Retry-After` longer than the policy allows is not.
 */
export function shouldRetry(error: unknown, attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): boolean {
  if (attempt >= policy.maxAttempts) return false;
  if (!PanelkitError.is(error) || !error.retryable) return false;
  const retryAfter = retryAfterOf(error);
  return retryAfter === undefined || retryAfter <= policy.maxRetryAfterMs;
}

/** Options of `withRetry`; everything has a default. */
export interface RetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  random?: RandomSource;
  /** Waits; injectable so tests need not sleep. Must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each wait, e.g. to log the retry. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Run `operation` until it succeeds, fails with a non-retryable error, or runs out of attempts. */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (options.signal?.aborted || !shouldRetry(error, attempt, policy)) throw error;
      const delayMs = backoffDelay(attempt, policy, error, options.random);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/** Resolves after `ms` milliseconds; rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
