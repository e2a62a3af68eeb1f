import type { StoragePort, StorageRepositories } from '@panelkit/sdk/storage';

/** One repository method, as `[repository, method]`: `['subscriptions', 'listByCustomer']`. */
export type RepositoryMethod = {
  [R in keyof StorageRepositories]: [R, keyof StorageRepositories[R] & string];
}[keyof StorageRepositories];

/** Runs one call of the intercepted method (`call`), and whatever a test puts before or after it. */
export type AroundCall = (call: () => Promise<unknown>) => Promise<unknown>;

/**
 * `storage` whose transactions' calls of `method` go through `around`, made by `perTransaction` once for each
 * transaction (so it can keep what that transaction did so far); every other call passes as it is. Races across
 * replicas are made deterministic with it: a call held until another submission reaches a point, or committed.
 */
export function interceptRepositoryCalls(
  storage: StoragePort,
  [repoName, method]: RepositoryMethod,
  perTransaction: () => AroundCall,
): StoragePort {
  return new Proxy(storage, {
    get(inner, name) {
      if (name !== 'transaction') {
        const value: unknown = Reflect.get(inner, name, inner);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
      }
      return ((fn) =>
        inner.transaction((tx) => {
          const around = perTransaction();
          const repo = Reflect.get(tx, repoName, tx) as object;
          const intercepted = new Proxy(repo, {
            get(target, key) {
              const value: unknown = Reflect.get(target, key, target);
              if (typeof value !== 'function') return value;
              const call = value as (...args: unknown[]) => Promise<unknown>;
              if (key !== method) return call.bind(target);
              return (...args: unknown[]) => around(() => call.apply(target, args));
            },
          });
          return fn(new Proxy(tx, { get: (t, key) => (key === repoName ? intercepted : Reflect.get(t, key, t)) }));
        })) as StoragePort['transaction'];
    },
  });
}
