import type { Subscription } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/**
 * The parts sold together with `sub` (one `bundleId`), `sub` among them, oldest first; `[sub]` for a subscription
 * sold alone. A bundle is bought in one order, so its parts are read from that order.
 */
export async function bundleOf(shop: Shop, sub: Subscription): Promise<Subscription[]> {
  if (sub.bundleId === null || sub.orderId === null) return [sub];
  const parts = (await shop.storage.subscriptions.listByOrder(sub.orderId)).filter(
    (s) => s.bundleId === sub.bundleId && s.customerId === sub.customerId,
  );
  return parts.some((s) => s.id === sub.id) ? parts : [sub];
}
