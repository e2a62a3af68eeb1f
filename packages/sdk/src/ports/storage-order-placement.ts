import type { AuditEvent, NewAuditEvent } from '../domain/audit.js';
import type { NewJob } from '../domain/job.js';
import type { NewLedgerEntry } from '../domain/ledger.js';
import type { NewOrder, Order } from '../domain/order.js';
import type { NewSubscription, Subscription } from '../domain/subscription.js';

/**
 * Everything a checkout writes, for `orders.place`: the order, its purchase debit, its subscriptions
 * (each takes one slot of its plan and one of its target), their jobs and the audit events, written
 * together or not at all.
 */
export interface OrderPlacement {
  /** The order, its id given (the other rows point at it); its `ledgerEntryId` is set to the debit's id. */
  readonly order: NewOrder & { readonly id: string };
  /**
   * The purchase debit (a negative `amount`, `orderId` the order's, `customerId` the order's), or
   * `null` for an order that costs nothing. Its id is given or assigned; its idempotency key must be new.
   */
  readonly debit: NewLedgerEntry | null;
  /** The order's subscriptions, ids given; each takes one slot on its `targetId` and its `planId`. */
  readonly subscriptions: readonly (NewSubscription & { readonly id: string })[];
  /** Jobs enqueued with the order (their dedupe keys distinct), as `jobs.enqueue` would. */
  readonly jobs: readonly NewJob[];
  /** Audit events appended with the order. */
  readonly audit: readonly NewAuditEvent[];
}

/** How `orders.place` is called: what its caller does after it, which a database storage may use. */
export interface PlaceOptions {
  /**
   * The caller's transaction makes no other call after this one when the placement is written and takes no target
   * across `nearlyFullPercent` of its capacity (its counter after at least `ceil(capacity × nearlyFullPercent / 100)`,
   * before it below: what a checkout audits as `target.nearly_full`). A database storage may then send the
   * transaction's `COMMIT` with the placement (one round trip fewer). When the placement is refused, or takes a
   * target across, the caller's transaction goes on as without this: the storage commits nothing then, and may run
   * the transaction's callback again from the start (as `StoragePort.transaction` allows), where it is ignored.
   * Ignored outside a transaction, and by a storage without such a round trip to save.
   */
  readonly last?: { readonly nearlyFullPercent: number };
}

/** A target's slot counter after a placement took its slots. */
export interface PlacedTarget {
  readonly targetId: string;
  /** `allocated` after this placement. */
  readonly allocated: number;
  readonly capacity: number | null;
}

/**
 * What `orders.place` did: everything written (`ok: true`, with the rows as stored and each
 * target's counter after), or nothing because a plan or target had no room for its slots.
 */
export type PlaceResult =
  | {
      readonly ok: true;
      readonly order: Order;
      readonly subscriptions: Subscription[];
      readonly audit: AuditEvent[];
      readonly targets: PlacedTarget[];
    }
  | { readonly ok: false; readonly reason: 'plan_full'; readonly planId: string }
  | { readonly ok: false; readonly reason: 'target_full'; readonly targetId: string };
