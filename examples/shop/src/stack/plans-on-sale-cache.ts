import type { Plan } from '@panelkit/sdk';
import type { PlanRepository, StoragePort, StorageTransaction } from '@panelkit/sdk/storage';

/** How long a process answers "which plans are on sale?" from the list it read (another replica's save shows after it). */
export const PLANS_ON_SALE_TTL_MS = 5_000;

/** `target` with `plans` swapped and every other member as it is (methods bound to `target`). */
function withPlans<T extends object>(target: T, plans: PlanRepository, extra: Partial<T> = {}): T {
  return new Proxy(target, {
    get(inner, property) {
      if (property === 'plans') return plans;
      if (Object.hasOwn(extra, property)) return extra[property as keyof T];
      const value: unknown = Reflect.get(inner, property, inner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
    },
  });
}

/**
 * The storage with `plans.list({ onSale: true })` outside a transaction (every buyer's catalog, plan screen and buy
 * tap asks it) read at most once per {@link PLANS_ON_SALE_TTL_MS} in this process, not once a request. A plan written
 * through this storage (`plans.create`, `plans.update`, in a transaction or not: the kit's and the shop's saves) is
 * seen by the next read here; another replica's within the TTL. What a buyer is charged never comes from here: the
 * checkout reads its plans in its own transaction (a plan taken off sale or full since is refused there). Every other
 * read (another filter, inside a transaction) goes to the storage.
 */
export function withPlansOnSaleCache(storage: StoragePort, ttlMs = PLANS_ON_SALE_TTL_MS): StoragePort {
  // A read is cached when it starts, so one that began before a write cannot refill the cache after it.
  let cached: { readAt: number; plans: Promise<Plan[]> } | null = null;
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
  const plansOf = (repo: PlanRepository, list: PlanRepository['list']): PlanRepository => ({
    get: (id) => repo.get(id),
    list,
    create: writing((input) => repo.create(input)),
    update: writing((id, patch) => repo.update(id, patch)),
  });

  const listOnSale = async (): Promise<Plan[]> => {
    const now = performance.now();
    if (cached === null || now - cached.readAt >= ttlMs) {
      const read = { readAt: now, plans: storage.plans.list({ onSale: true }) };
      cached = read;
      read.plans.catch(() => {
        if (cached === read) cached = null;
      });
    }
    return [...(await cached.plans)];
  };
  const plans = plansOf(storage.plans, (filter) => (filter?.onSale === true ? listOnSale() : storage.plans.list(filter)));
  // A transaction's plan writes are forgotten again once it ends (a read between the write and its COMMIT saw the old plans).
  const transaction: StoragePort['transaction'] = async (fn) => {
    let wrote = false;
    try {
      return await storage.transaction((tx) => {
        const txPlans = plansOf(tx.plans, (filter) => tx.plans.list(filter));
        const mark = <R>(write: () => Promise<R>) => ((wrote = true), write());
        const marked: PlanRepository = {
          ...txPlans,
          create: (input) => mark(() => txPlans.create(input)),
          update: (id, patch) => mark(() => txPlans.update(id, patch)),
        };
        return fn(withPlans<StorageTransaction>(tx, marked));
      });
    } finally {
      if (wrote) forget();
    }
  };
  return withPlans(storage, plans, { transaction });
}
