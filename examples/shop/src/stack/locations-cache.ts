import type { LocationEntry, LocationRepository, StoragePort, StorageTransaction } from '@panelkit/sdk/storage';

/** How long a process answers "which locations are there?" from the list it read (another replica's save shows after it). */
export const LOCATIONS_TTL_MS = 5_000;

/** `target` with `locations` swapped and every other member as it is (methods bound to `target`). */
function withLocations<T extends object>(target: T, locations: LocationRepository, extra: Partial<T> = {}): T {
  return new Proxy(target, {
    get(inner, property) {
      if (property === 'locations') return locations;
      if (Object.hasOwn(extra, property)) return extra[property as keyof T];
      const value: unknown = Reflect.get(inner, property, inner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
    },
  });
}

/**
 * The storage with `locations.list()` outside a transaction (the names of every buyer's catalog and location screen)
 * read at most once per {@link LOCATIONS_TTL_MS} in this process, not once a request: as the plans on sale
 * (`withPlansOnSaleCache`). A location written through this storage (`locations.put`, `locations.remove`, in a
 * transaction or not: the kit's and the admin page's saves) is seen by the next read here; another replica's within
 * the TTL. Only names and countries come from here: nothing is charged or provisioned by them. Every other read
 * (`get`, a read inside a transaction) goes to the storage.
 */
export function withLocationsCache(storage: StoragePort, ttlMs = LOCATIONS_TTL_MS): StoragePort {
  // A read is cached when it starts, so one that began before a write cannot refill the cache after it.
  let cached: { readAt: number; entries: Promise<LocationEntry[]> } | null = null;
  const forget = () => {
    cached = null;
  };
  const writing =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      forget();
      try {
        return await write(...args);
      } finally {
        forget();
      }
    };
  const list = async (): Promise<LocationEntry[]> => {
    const now = performance.now();
    if (cached === null || now - cached.readAt >= ttlMs) {
      const read = { readAt: now, entries: storage.locations.list() };
      cached = read;
      read.entries.catch(() => {
        if (cached === read) cached = null;
      });
    }
    return (await cached.entries).map((e) => ({ ...e }));
  };
  const locations: LocationRepository = {
    list,
    get: (location) => storage.locations.get(location),
    put: writing((entry) => storage.locations.put(entry)),
    remove: writing((location) => storage.locations.remove(location)),
  };
  // A transaction's location writes are forgotten again once it ends (a read between the write and its COMMIT saw the old list).
  const transaction: StoragePort['transaction'] = async (fn) => {
    let wrote = false;
    try {
      return await storage.transaction((tx) => {
        const mark = <R>(write: () => Promise<R>) => ((wrote = true), write());
        const marked: LocationRepository = {
          list: () => tx.locations.list(),
          get: (location) => tx.locations.get(location),
          put: writing((entry) => mark(() => tx.locations.put(entry))),
          remove: writing((location) => mark(() => tx.locations.remove(location))),
        };
        return fn(withLocations<StorageTransaction>(tx, marked));
      });
    } finally {
      if (wrote) forget();
    }
  };
  return withLocations(storage, locations, { transaction });
}
