/**
 * The per-process copy of the plans on sale (`withPlansOnSaleCache`): read once for many buyers, forgotten by any plan
 * write through the storage (in a transaction: again when it ends), never kept after a failed read, and only for
 * `{ onSale: true }` outside a transaction.
 */
import type { Plan } from '@panelkit/sdk';
import type { PlanRepository, StoragePort, StorageTransaction } from '@panelkit/sdk/storage';
import { describe, expect, it } from 'vitest';
import { withPlansOnSaleCache } from '../src/stack/plans-on-sale-cache.js';

const plan = { id: 'pln_1', name: 'One', onSale: true } as Plan;

/** A storage whose plans repository counts its reads (`list:<onSale>`) and writes; other members are not used. */
function countingStorage(options: { failNextList?: boolean } = {}) {
  const calls: string[] = [];
  const plans: PlanRepository = {
    get: async () => plan,
    list: async (filter) => {
      calls.push(`list:${String(filter?.onSale)}`);
      if (options.failNextList === true) {
        options.failNextList = false;
        throw new Error('the database is away');
      }
      return [plan];
    },
    create: async () => (calls.push('create'), plan),
    update: async () => (calls.push('update'), plan),
  };
  const storage = {
    plans,
    transaction: <T>(fn: (tx: StorageTransaction) => Promise<T>) => fn({ plans } as unknown as StorageTransaction),
  } as unknown as StoragePort;
  return { storage, calls, reads: () => calls.filter((c) => c === 'list:true').length };
}

describe('the plans on sale, a per-process copy', () => {
  it('reads them once for many readers, and every other list each time', async () => {
    const { storage, calls, reads } = countingStorage();
    const cached = withPlansOnSaleCache(storage);
    expect(await cached.plans.list({ onSale: true })).toEqual([plan]);
    await Promise.all([cached.plans.list({ onSale: true }), cached.plans.list({ onSale: true })]);
    expect(reads()).toBe(1);
    await cached.plans.list();
    await cached.plans.list();
    expect(calls.filter((c) => c === 'list:undefined')).toHaveLength(2);
  });

  it('hands each reader its own array', async () => {
    const cached = withPlansOnSaleCache(countingStorage().storage);
    (await cached.plans.list({ onSale: true })).pop();
    expect(await cached.plans.list({ onSale: true })).toEqual([plan]);
  });

  it('reads again after a plan is created or changed through it', async () => {
    const { storage, reads } = countingStorage();
    const cached = withPlansOnSaleCache(storage);
    await cached.plans.list({ onSale: true });
    await cached.plans.update(plan.id, { onSale: false });
    await cached.plans.list({ onSale: true });
    expect(reads()).toBe(2);
    await cached.plans.create({} as Parameters<PlanRepository['create']>[0]);
    await cached.plans.list({ onSale: true });
    expect(reads()).toBe(3);
  });

  it('reads again after a transaction that wrote a plan ends, also when a read came between the write and its end', async () => {
    const { storage, reads } = countingStorage();
    const cached = withPlansOnSaleCache(storage);
    await cached.plans.list({ onSale: true });
    await cached.transaction(async (tx) => {
      await tx.plans.update(plan.id, { onSale: false });
      // Outside the transaction: what is committed (the old plans), read and kept until the transaction ends.
      await cached.plans.list({ onSale: true });
      await cached.plans.list({ onSale: true });
    });
    expect(reads()).toBe(2);
    await cached.plans.list({ onSale: true });
    expect(reads()).toBe(3);
    // A transaction that wrote no plan forgets nothing; its own reads go to the storage.
    await cached.transaction((tx) => tx.plans.list({ onSale: true }));
    await cached.plans.list({ onSale: true });
    expect(reads()).toBe(4);
  });

  it('keeps no failed read, and keeps nothing with a TTL of 0', async () => {
    const failing = countingStorage({ failNextList: true });
    const cached = withPlansOnSaleCache(failing.storage);
    await expect(cached.plans.list({ onSale: true })).rejects.toThrow('the database is away');
    expect(await cached.plans.list({ onSale: true })).toEqual([plan]);
    expect(failing.reads()).toBe(2);
    const uncached = countingStorage();
    const always = withPlansOnSaleCache(uncached.storage, 0);
    await always.plans.list({ onSale: true });
    await always.plans.list({ onSale: true });
    expect(uncached.reads()).toBe(2);
  });
});
