import type { LocationEntry, StoragePort } from '@panelkit/sdk/storage';
import { ttlReadCache, withForgettingRepository } from './storage-read-cache.js';

/** How long a process answers "which locations are there?" from the list it read (another replica's save shows after it). */
export const LOCATIONS_TTL_MS = 5_000;

/**
 * The storage with `locations.list()` outside a transaction (the names of every buyer's catalog and location screen)
 * read at most once per {@link LOCATIONS_TTL_MS} in this process, not once a request: as the plans on sale
 * (`withPlansOnSaleCache`). A location written through this storage (`locations.put`, `locations.remove`, in a
 * transaction or not: the kit's and the admin page's saves) is seen by the next read here; another replica's within
 * the TTL. Only names and countries come from here: nothing is charged or provisioned by them. Every other read
 * (`get`, a read inside a transaction) goes to the storage.
 */
export function withLocationsCache(storage: StoragePort, ttlMs = LOCATIONS_TTL_MS): StoragePort {
  const cache = ttlReadCache<LocationEntry[]>(ttlMs);
  return withForgettingRepository(storage, 'locations', cache, (repo, writing, inTransaction) => ({
    list: inTransaction ? () => repo.list() : async () => (await cache.read(() => repo.list())).map((e) => ({ ...e })),
    get: (location) => repo.get(location),
    put: writing((entry) => repo.put(entry)),
    remove: writing((location) => repo.remove(location)),
  }));
}
