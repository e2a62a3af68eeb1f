import type { Actor } from '../domain/common.js';
import type { Order, OrderStatus } from '../domain/order.js';
import type { StorageRepositories } from '../ports/storage.js';
import { NotFoundError } from '../errors.js';
import { orderPurchaseKey, releaseDiscount } from './discount.js';
import { qualifyReferral } from './referral.js';

/**
 * Settles an order once none of its subscriptions is pending: completed, failed, or partially
 * failed. Returns the order when its status changed.
 */
export async function settleOrder(tx: StorageRepositories, orderId: string | null, actor: Actor): Promise<Order | null> {
  if (orderId === null) return null;
  // Lock the order row (an update with nothing to change) before reading its subscriptions: two
  // subscriptions of one order settling at once in separate transactions would otherwise each see
  // the other still pending (read committed), and neither would settle the order.
  let order: Order;
  try {
    order = await tx.orders.update(orderId, {});
  } catch (error) {
    if (NotFoundError.is(error)) return null;
    throw error;
  }
  const subs = await tx.subscriptions.listByOrder(orderId);
  if (subs.some((s) => s.status === 'pending')) return null;
  const failed = subs.filter((s) => s.status === 'failed').length;
  const status: OrderStatus = failed === 0 ? 'completed' : failed === subs.length ? 'failed' : 'partially_failed';
  if (status === order.status) return null;
  const updated = await tx.orders.update(orderId, { status });
  await tx.audit.append({ actor, action: `order.${status}`, subjectType: 'order', subjectId: orderId, data: { from: order.status } });
  // Every unit failed and was refunded: a discount code spent on the order gives its use back.
  if (status === 'failed') await releaseDiscount(tx, orderPurchaseKey(orderId));
  else await qualifyReferral(tx, updated, actor);
  return updated;
}
