import type { Clock } from '@panelkit/sdk';

/**
 * A setting read on every request (the buyer's link, refreshed by client apps in storms; the bot's updates), read at
 * most once per `ttlMs` per replica (the setting changes when the owner saves it). Requests arriving while a read is under way
 * share it; a failed read is not kept; `forget` makes the replica that saved a change read it at once.
 */
export interface ReplicaRead<T, S extends object> {
  get(shop: S): Promise<T>;
  forget(shop: S): void;
}

/** A {@link ReplicaRead} of `read`, kept per shop object (a replica's process holds one). */
export function replicaRead<T, S extends object & { readonly clock: Clock }>(
  read: (shop: S) => Promise<T>,
  ttlMs: number,
): ReplicaRead<T, S> {
  const reads = new WeakMap<object, { at: number; value: Promise<T> }>();
  return {
    get(shop) {
      const now = shop.clock.now().getTime();
      const kept = reads.get(shop);
      if (kept !== undefined && now >= kept.at && now - kept.at < ttlMs) return kept.value;
      const value = read(shop);
      reads.set(shop, { at: now, value });
      value.catch(() => {
        if (reads.get(shop)?.value === value) reads.delete(shop);
      });
      return value;
    },
    forget(shop) {
      reads.delete(shop);
    },
  };
}
