import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../src/index.js';
import { isRetryableStorageError } from '../../src/storage.js';
import type { StoragePort } from '../../src/storage.js';
import { createHarness } from './harness.js';

/**
 * A storage whose next `failures` transactions run `fn` to the end and then fail as a dropped connection does
 * (the storage rolls everything back), with the error given.
 */
function failingStorage(failures: { count: number; error: () => Error }, attempts: { n: number }) {
  return (storage: StoragePort): StoragePort =>
    new Proxy(storage, {
      get(target, property) {
        if (property === 'transaction') {
          return (fn: Parameters<StoragePort['transaction']>[0]) => {
            attempts.n++;
            if (failures.count <= 0) return target.transaction(fn);
            failures.count--;
            return target.transaction(async (tx) => {
              await fn(tx);
              throw failures.error();
            });
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
}

const dropped = () => new StorageUnavailableError('Connection terminated unexpectedly');

describe('the engine reruns a transaction the storage could not complete', () => {
  it('checks out once after two dropped connections: one order, one debit, one slot', async () => {
    const attempts = { n: 0 };
    const failures = { count: 0, error: dropped };
    const h = await createHarness({ wrapStorage: failingStorage(failures, attempts), storageRetry: { baseDelayMs: 1 } });
    const customerId = await h.customer(5000);
    failures.count = 2;
    attempts.n = 0;
    const result = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'k' });
    expect(attempts.n).toBe(3);
    expect(result.replayed).toBe(false);
    expect(await h.balance(customerId)).toBe(4000);
    expect((await h.storage.orders.list({ customerId }, { limit: 10 })).items).toHaveLength(1);
    expect((await h.storage.targets.get(h.panels[0]!.target.id))?.allocated).toBe(1);
  });

  it('does not rerun a failure that may have committed, nor any other error', async () => {
    const attempts = { n: 0 };
    const failures = {
      count: 0,
      error: (): Error => new StorageUnavailableError('the database may or may not have committed', { retryable: false }),
    };
    const h = await createHarness({ wrapStorage: failingStorage(failures, attempts), storageRetry: { baseDelayMs: 1 } });
    const customerId = await h.customer(5000);
    failures.count = 1;
    attempts.n = 0;
    await expect(h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'k' })).rejects.toSatisfy(
      (e: unknown) => StorageUnavailableError.is(e) && !isRetryableStorageError(e),
    );
    expect(attempts.n).toBe(1);
    failures.count = 1;
    failures.error = () => new Error('a bug');
    attempts.n = 0;
    await expect(h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'k2' })).rejects.toThrow('a bug');
    expect(attempts.n).toBe(1);
  });

  it('gives up when its time budget is spent, with the storage error', async () => {
    const attempts = { n: 0 };
    const failures = { count: 0, error: dropped };
    const h = await createHarness({ wrapStorage: failingStorage(failures, attempts), storageRetry: { budgetMs: 150, baseDelayMs: 10 } });
    const customerId = await h.customer(5000);
    failures.count = Number.MAX_SAFE_INTEGER;
    attempts.n = 0;
    await expect(h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'k' })).rejects.toSatisfy((e: unknown) =>
      StorageUnavailableError.is(e),
    );
    expect(attempts.n).toBeGreaterThan(1);
    expect(await h.balance(customerId)).toBe(5000);
  });
});
