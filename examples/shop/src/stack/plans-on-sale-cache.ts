import type { Plan } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ttlReadCache, withForgettingRepository } from './storage-read-cache.js';

/** How long a process answers "which plans are on sale?" from the list it read (another replica's save shows after it). */
export const PLANS_ON_SALE_TTL_MS = 5_000;

/**
 * The storage with `plans.list({ onSale: true })` outside a transaction (every buyer's catalog, plan screen and buy
 * tap asks it) read at most once per {@link PLANS_ON_SALE_TTL_MS} in this process, not once a request. A plan written
 * through this storage (`plans.create`, `plans.update`, in a transaction or not: the kit's and the shop's saves) is
 * seen by the next read here; another replica's within the TTL. What a buyer is charged never comes from here: the
 * checkout reads its plans in its own transaction (a plan taken off sale or full since is refused there). Every other
 * read (another filter, inside a transaction) goes to the storage.
 */
export function withPlansOnSaleCache(storage: StoragePort, ttlMs = PLANS_ON_SALE_TTL_MS): StoragePort {
  const cache = ttlReadCache<Plan[]>(ttlMs);
  return withForgettingRepository(storage, 'plans', cache, (repo, writing, inTransaction) => ({
    get: (id) => repo.get(id),
    list: (filter) =>
      !inTransaction && filter?.onSale === true
        ? cache.read(() => repo.list({ onSale: true })).then((plans) => [...plans])
        : repo.list(filter),
    create: writing((input) => repo.create(input)),
    update: writing((id, patch) => repo.update(id, patch)),
  }));
}
