import type { Order, Subscription } from '@panelkit/sdk';
import type { Viewer } from '../viewer.js';
import { ShopError } from '../shop-error.js';
import { isId } from '../input/ids.js';
import type { Shop } from '../shop.js';

/** The viewer's own subscription, or `null` for another buyer's or none (the same answer, so ids reveal nothing). */
export async function findOwnedSubscription(shop: Shop, viewer: Pick<Viewer, 'customer'>, id: unknown): Promise<Subscription | null> {
  const sub = isId(id) ? await shop.storage.subscriptions.get(id) : null;
  return sub !== null && sub.customerId === viewer.customer.id ? sub : null;
}

/** The viewer's own subscription; another buyer's (or none) is a 404, so ids reveal nothing. */
export async function ownedSubscription(shop: Shop, viewer: Pick<Viewer, 'customer'>, id: unknown): Promise<Subscription> {
  const sub = await findOwnedSubscription(shop, viewer, id);
  if (sub === null) throw new ShopError('not_found', 'errors.notFound');
  return sub;
}

/** The viewer's own order; another buyer's (or none) is a 404. */
export async function ownedOrder(shop: Shop, viewer: Viewer, id: unknown): Promise<Order> {
  const order = isId(id) ? await shop.storage.orders.get(id) : null;
  if (order === null || order.customerId !== viewer.customer.id) throw new ShopError('not_found', 'errors.notFound');
  return order;
}
