import type { NewAuditEvent } from '../domain/audit.js';
import type { Actor } from '../domain/common.js';
import type { Order } from '../domain/order.js';
import type { StorageRepositories } from '../ports/storage.js';
import { orderPurchaseKey, releaseDiscount } from './discount.js';
import { qualifyReferral } from './referral.js';

/**
 * Settles the orders none of whose subscriptions is pending any more: completed, failed, or partially failed
 * (`orders.settle`: one call for all of them, which locks each order before it reads its subscriptions). Writes
 * `audit` (the caller's events of the same transaction, e.g. its subscriptions') and an `order.<status>` event per
 * settled order in one `audit.appendMany`; then gives a failed order's discount use back, or qualifies the
 * customer's pending referral. Returns the orders whose status changed, in id order.
 */
export async function settleOrders(
  tx: StorageRepositories,
  orderIds: readonly string[],
  actor: Actor,
  audit: readonly NewAuditEvent[] = [],
): Promise<Order[]> {
  const settled = orderIds.length === 0 ? [] : await tx.orders.settle(orderIds);
  const events: NewAuditEvent[] = [...audit];
  for (const { order, from } of settled)
    events.push({ actor, action: `order.${order.status}`, subjectType: 'order', subjectId: order.id, data: { from } });
  if (events.length > 0) await tx.audit.appendMany(events);
  for (const { order, referralPending } of settled) {
    // Every unit failed and was refunded: a discount code spent on the order gives its use back.
    if (order.status === 'failed') await releaseDiscount(tx, orderPurchaseKey(order.id));
    else if (referralPending) await qualifyReferral(tx, order, actor);
  }
  return settled.map((s) => s.order);
}

/** `settleOrders` for one order (or none): the order when its status changed. */
export async function settleOrder(tx: StorageRepositories, orderId: string | null, actor: Actor): Promise<Order | null> {
  if (orderId === null) return null;
  return (await settleOrders(tx, [orderId], actor))[0] ?? null;
}
