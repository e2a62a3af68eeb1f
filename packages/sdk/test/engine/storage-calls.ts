import type { StoragePort } from '../../src/storage.js';

/** `storage` counting every repository call (`repo.method`), inside transactions too. */
export function counting(storage: StoragePort, calls: Map<string, number>): StoragePort {
  const repos = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(inner, name) {
        const value: unknown = Reflect.get(inner, name, inner);
        if (name === 'transaction') {
          const transaction = value as StoragePort['transaction'];
          return ((fn) => transaction.call(inner, (tx) => fn(repos(tx)))) as StoragePort['transaction'];
        }
        if (typeof value === 'function') return (value as (...args: unknown[]) => unknown).bind(inner);
        if (typeof name !== 'string' || typeof value !== 'object' || value === null || name === 'capabilities') return value;
        return new Proxy(value, {
          get(repo, method) {
            const fn: unknown = Reflect.get(repo, method, repo);
            if (typeof fn !== 'function') return fn;
            return (...args: unknown[]) => {
              const key = `${name}.${String(method)}`;
              calls.set(key, (calls.get(key) ?? 0) + 1);
              return (fn as (...a: unknown[]) => unknown).apply(repo, args);
            };
          },
        });
      },
    });
  return repos(storage);
}
