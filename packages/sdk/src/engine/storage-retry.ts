import { PanelkitError } from '../errors.js';
import type { Logger } from '../ports/logger.js';
import type { StoragePort } from '../ports/storage.js';
import { backoffDelay, type RandomSource, type RetryPolicy } from '../retry.js';

/** How the engine reruns a transaction the storage could not complete (a dropped connection, a deadlock past the storage's own reruns). */
export interface StorageRetryOptions {
  /**
   * How long, from the first attempt, a failed transaction may still be started again; 0 turns reruns off.
   * Default 8 s: a database restart (about 2 s) is ridden out, a real outage reaches the caller soon enough.
   */
  budgetMs?: number;
  /** First wait (jittered) before the first rerun, doubling up to 1 s; default 50 ms. */
  baseDelayMs?: number;
}

/** The engine's default: reruns for up to 8 s, from 50 ms apart up to 1 s apart. */
export const DEFAULT_STORAGE_RETRY: Readonly<Required<StorageRetryOptions>> = Object.freeze({ budgetMs: 8_000, baseDelayMs: 50 });

/**
 * Whether a storage failure may be met by running the whole transaction again: `STORAGE_UNAVAILABLE` marked
 * `retryable`. A storage marks a failure whose commit may have happened (the connection dropped after `COMMIT`
 * was sent) not retryable, so a transaction is never run twice over a commit that went through.
 */
export function isRetryableStorageError(error: unknown): boolean {
  return PanelkitError.is(error) && error.code === 'STORAGE_UNAVAILABLE' && error.retryable;
}

/**
 * The storage as the engine uses it: `transaction(fn)` reruns `fn` in a new transaction after a retryable
 * storage failure ({@link isRetryableStorageError}), with capped exponential backoff and full jitter, until it
 * succeeds, fails otherwise, or the time budget is spent (then the last error is thrown). A failed transaction
 * changed nothing, so the rerun is the first attempt again: every engine transaction reads what it needs inside
 * `fn`. Calls outside a transaction are passed through as they are.
 */
export function withStorageRetry(
  storage: StoragePort,
  options: StorageRetryOptions = {},
  deps: { logger: Logger; random: RandomSource; sleep?: (ms: number) => Promise<void> },
): StoragePort {
  const budgetMs = options.budgetMs ?? DEFAULT_STORAGE_RETRY.budgetMs;
  if (budgetMs <= 0) return storage;
  const policy: RetryPolicy = {
    maxAttempts: Number.MAX_SAFE_INTEGER,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_STORAGE_RETRY.baseDelayMs,
    maxDelayMs: 1_000,
    maxRetryAfterMs: 0,
  };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const transaction: StoragePort['transaction'] = async (fn) => {
    // Wall time, not the injected clock: a test's manual clock does not move while the database is away.
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await storage.transaction(fn);
      } catch (error) {
        const delayMs = backoffDelay(attempt, policy, undefined, deps.random);
        if (!isRetryableStorageError(error) || performance.now() - started + delayMs > budgetMs) throw error;
        deps.logger.warn({ attempt, delayMs, err: error }, 'storage transaction failed; running it again');
        await sleep(delayMs);
      }
    }
  };
  return new Proxy(storage, {
    get(target, property) {
      if (property === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
