/**
 * The audit trail as a host's outbox: every audit event the engine (or the host) writes can enqueue
 * the host's jobs in the transaction that writes it, so a notification exists if and only if its
 * cause committed, with no relay polling the trail afterwards.
 */
import type { AuditEvent, NewAuditEvent } from '../domain/audit.js';
import type { AuditRepository, OrderRepository, StoragePort, StorageTransaction } from '../ports/storage.js';
import type { OrderPlacement, PlaceOptions } from '../ports/storage-order-placement.js';

/**
 * Called inside the transaction that appended `event`, with that transaction: enqueue jobs on `tx`
 * (`enqueueHostJob(tx, …)`). It must only write through `tx`; a throw rolls the cause back.
 */
export type AuditOutboxHook = (tx: StorageTransaction, event: AuditEvent) => Promise<void>;

/**
 * Called once, inside the transaction that appended them, with every event of one `appendMany` or one order's
 * placement, in the order written: enqueue their jobs on `tx` together (`enqueueHostJobs(tx, …)`: one statement for
 * many, where the per-event hook sends one a job). The same rules as {@link AuditOutboxHook}.
 */
export type AuditOutboxManyHook = (tx: StorageTransaction, events: readonly AuditEvent[]) => Promise<void>;

/** Options of {@link withAuditOutbox}. */
export interface AuditOutboxOptions {
  /**
   * Takes the events appended together (`appendMany`, `orders.place`) in one call; without it the hook is called for
   * each of them in turn. An `append` of one event always goes to the hook.
   */
  many?: AuditOutboxManyHook;
  /**
   * The actions the hooks act on: an event of another action reaches neither. Given, an order placement none of
   * whose events it names passes its caller's `PlaceOptions.last` on (nothing the hooks write follows it), so a
   * checkout's `COMMIT` may ride on its placement; without it every event reaches the hooks and the hint is dropped.
   */
  actions?: Iterable<string>;
}

/** `target` with `audit` swapped and every other member as it is (methods bound to `target`). */
function withAudit<T extends object>(target: T, audit: AuditRepository, extra: Partial<T> = {}): T {
  return new Proxy(target, {
    get(inner, property) {
      if (property === 'audit') return audit;
      if (Object.hasOwn(extra, property)) return extra[property as keyof T];
      const value: unknown = Reflect.get(inner, property, inner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
    },
  });
}

function hookedTransaction(tx: StorageTransaction, hook: AuditOutboxHook, options: AuditOutboxOptions): StorageTransaction {
  const acted = options.actions === undefined ? null : new Set(options.actions);
  const hooked = (action: string) => acted === null || acted.has(action);
  const many: AuditOutboxManyHook =
    options.many ??
    (async (on, events) => {
      for (const event of events) await hook(on, event);
    });
  const hookMany: AuditOutboxManyHook = async (on, events) => {
    const kept = acted === null ? events : events.filter((event) => hooked(event.action));
    if (kept.length > 0) await many(on, kept);
  };
  const audit: AuditRepository = {
    list: (filter, page) => tx.audit.list(filter, page),
    async append(input: NewAuditEvent) {
      const event = await tx.audit.append(input);
      if (hooked(event.action)) await hook(tx, event);
      return event;
    },
    async appendMany(inputs: readonly NewAuditEvent[]) {
      const events = await tx.audit.appendMany(inputs);
      await hookMany(tx, events);
      return events;
    },
  };
  // `orders.place` appends audit events too: each reaches the hook once it is written. The caller's hint that nothing
  // follows holds only when no hook writes after the placement.
  const orders: OrderRepository = withAudit(tx.orders as OrderRepository & object, audit, {
    async place(placement: OrderPlacement, placeOptions?: PlaceOptions) {
      const quiet = acted !== null && placement.audit.every((event) => !hooked(event.action));
      const placed = await tx.orders.place(placement, quiet ? placeOptions : undefined);
      if (placed.ok) await hookMany(tx, placed.audit);
      return placed;
    },
  });
  return withAudit(tx, audit, { orders });
}

/**
 * The storage with `hook` run for every audit event appended through it, in the appending transaction
 * (an append outside a transaction gets one of its own). Hand the result to `createPanelkit` and use
 * it in the host too, so the engine's events and the host's own reach the hook. `options.many` takes the events
 * appended together in one call (a provisioning batch's, one statement for their jobs instead of one an event).
 */
export function withAuditOutbox(storage: StoragePort, hook: AuditOutboxHook, options: AuditOutboxOptions = {}): StoragePort {
  const audit: AuditRepository = {
    list: (filter, page) => storage.audit.list(filter, page),
    append: (input) => storage.transaction((tx) => hookedTransaction(tx, hook, options).audit.append(input)),
    appendMany: (inputs) => storage.transaction((tx) => hookedTransaction(tx, hook, options).audit.appendMany(inputs)),
  };
  const transaction: StoragePort['transaction'] = (fn) => storage.transaction((tx) => fn(hookedTransaction(tx, hook, options)));
  const orders: OrderRepository = withAudit(storage.orders as OrderRepository & object, audit, {
    place: (placement: OrderPlacement) => storage.transaction((tx) => hookedTransaction(tx, hook, options).orders.place(placement)),
  });
  return withAudit(storage, audit, { transaction, orders });
}
