/**
 * The per-process copy of the location catalog (`withLocationsCache`): read once for many buyers, forgotten by any
 * location write through the storage (in a transaction: again when it ends), never kept after a failed read, and only
 * for `list()` outside a transaction.
 */
import type { LocationEntry, LocationRepository, StoragePort, StorageTransaction } from '@panelkit/sdk/storage';
import { describe, expect, it } from 'vitest';
import { withLocationsCache } from '../src/stack/locations-cache.js';

const de: LocationEntry = { location: 'de', country: 'DE', name: 'Frankfurt' };

/** A storage whose locations repository counts its reads and writes; other members are not used. */
function countingStorage(options: { failNextList?: boolean } = {}) {
  const calls: string[] = [];
  const locations: LocationRepository = {
    list: async () => {
      calls.push('list');
      if (options.failNextList === true) {
        options.failNextList = false;
        throw new Error('the database is away');
      }
      return [{ ...de }];
    },
    get: async () => (calls.push('get'), de),
    put: async (entry) => (calls.push('put'), entry),
    remove: async () => (calls.push('remove'), true),
  };
  const storage = {
    locations,
    transaction: <T>(fn: (tx: StorageTransaction) => Promise<T>) => fn({ locations } as unknown as StorageTransaction),
  } as unknown as StoragePort;
  return { storage, calls, reads: () => calls.filter((c) => c === 'list').length };
}

describe('the location catalog, a per-process copy', () => {
  it('reads it once for many readers; get goes to the storage each time', async () => {
    const { storage, calls, reads } = countingStorage();
    const cached = withLocationsCache(storage);
    expect(await cached.locations.list()).toEqual([de]);
    await Promise.all([cached.locations.list(), cached.locations.list()]);
    expect(reads()).toBe(1);
    await cached.locations.get('de');
    await cached.locations.get('de');
    expect(calls.filter((c) => c === 'get')).toHaveLength(2);
  });

  it('hands each reader its own entries', async () => {
    const cached = withLocationsCache(countingStorage().storage);
    const first = await cached.locations.list();
    first[0]!.name = 'changed';
    first.pop();
    expect(await cached.locations.list()).toEqual([de]);
  });

  it('reads again after a location is put or removed through it', async () => {
    const { storage, reads } = countingStorage();
    const cached = withLocationsCache(storage);
    await cached.locations.list();
    await cached.locations.put({ ...de, name: 'Berlin' });
    await cached.locations.list();
    expect(reads()).toBe(2);
    await cached.locations.remove('de');
    await cached.locations.list();
    expect(reads()).toBe(3);
  });

  it('reads again after a transaction that wrote a location ends, also when a read came between the write and its end', async () => {
    const { storage, reads } = countingStorage();
    const cached = withLocationsCache(storage);
    await cached.locations.list();
    await cached.transaction(async (tx) => {
      await tx.locations.put({ ...de, name: 'Berlin' });
      // Outside the transaction: what is committed (the old list), read and kept until the transaction ends.
      await cached.locations.list();
      await cached.locations.list();
    });
    expect(reads()).toBe(2);
    await cached.locations.list();
    expect(reads()).toBe(3);
    // A transaction that wrote no location forgets nothing; its own reads go to the storage.
    await cached.transaction((tx) => tx.locations.list());
    await cached.locations.list();
    expect(reads()).toBe(4);
  });

  it('keeps no failed read, and keeps nothing with a TTL of 0', async () => {
    const failing = countingStorage({ failNextList: true });
    const cached = withLocationsCache(failing.storage);
    await expect(cached.locations.list()).rejects.toThrow('the database is away');
    expect(await cached.locations.list()).toEqual([de]);
    expect(failing.reads()).toBe(2);
    const uncached = countingStorage();
    const always = withLocationsCache(uncached.storage, 0);
    await always.locations.list();
    await always.locations.list();
    expect(uncached.reads()).toBe(2);
  });
});
