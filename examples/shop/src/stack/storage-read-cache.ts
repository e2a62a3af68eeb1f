import type { StoragePort, StorageRepositories, StorageTransaction } from '@panelkit/sdk/storage';

/** One read kept for `ttlMs` in this process: the caches of the plans on sale and of the location catalog. */
export interface TtlReadCache<T> {
  /** The kept answer, or `load()`'s when none is kept or it is older than the TTL; a failed load is not kept. */
  read(load: () => Promise<T>): Promise<T>;
  /** Drops the kept answer: the next read loads. */
  forget(): void;
}

/** A {@link TtlReadCache}; a read is kept from when it starts, so one begun before a write cannot refill it after. */
export function ttlReadCache<T>(ttlMs: number): TtlReadCache<T> {
  let cached: { readAt: number; value: Promise<T> } | null = null;
  return {
    read(load) {
      const now = performance.now();
      if (cached === null || now - cached.readAt >= ttlMs) {
        const read = { readAt: now, value: load() };
        cached = read;
        read.value.catch(() => {
          if (cached === read) cached = null;
        });
      }
      return cached.value;
    },
    forget() {
      cached = null;
    },
  };
}

/** Wraps a repository's write so the cache is forgotten before and after it. */
export type ForgettingWrite = <A extends unknown[], R>(write: (...args: A) => Promise<R>) => (...args: A) => Promise<R>;

/** `target` with its repository `name` swapped and every other member as it is (methods bound to `target`). */
function swapped<T extends object>(target: T, name: string, repo: unknown, extra: Partial<T> = {}): T {
  return new Proxy(target, {
    get(inner, property) {
      if (property === name) return repo;
      if (Object.hasOwn(extra, property)) return extra[property as keyof T];
      const value: unknown = Reflect.get(inner, property, inner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
    },
  });
}

/**
 * `storage` with its repository `name` replaced by what `build` makes of it: outside a transaction over the storage's
 * own repository, inside each transaction over the transaction's (`inTransaction` true). The writes `build` wraps with
 * `writing` forget `cache` before and after; a transaction that made one forgets it again once it ends, since a read
 * between its write and its COMMIT saw the old rows.
 */
export function withForgettingRepository<K extends keyof StorageRepositories>(
  storage: StoragePort,
  name: K,
  cache: Pick<TtlReadCache<unknown>, 'forget'>,
  build: (repo: StorageRepositories[K], writing: ForgettingWrite, inTransaction: boolean) => StorageRepositories[K],
): StoragePort {
  const forgetting: ForgettingWrite =
    (write) =>
    async (...args) => {
      cache.forget();
      try {
        return await write(...args);
      } finally {
        cache.forget();
      }
    };
  const transaction: StoragePort['transaction'] = async (fn) => {
    let wrote = false;
    try {
      return await storage.transaction((tx) => {
        const marking: ForgettingWrite = (write) =>
          forgetting((...args) => {
            wrote = true;
            return write(...args);
          });
        return fn(swapped<StorageTransaction>(tx, name, build(tx[name], marking, true)));
      });
    } finally {
      if (wrote) cache.forget();
    }
  };
  return swapped(storage, name, build(storage[name], forgetting, false), { transaction });
}
