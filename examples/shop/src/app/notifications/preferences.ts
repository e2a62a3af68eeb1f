import type { Shop } from '../shop.js';
import { CUSTOMER_KINDS, type CustomerKind } from '../../db/notification-kinds.js';
import { notificationsOf } from '../../db/notifications.js';

/** Each kind a buyer may turn off, and whether they get it now. */
export async function buyerNotificationChoices(shop: Shop, customerId: string): Promise<Array<{ kind: CustomerKind; on: boolean }>> {
  const off = await notificationsOf(shop).optedOut(customerId);
  return CUSTOMER_KINDS.map((kind) => ({ kind, on: !off.has(kind) }));
}

/** The buyer gets exactly the kinds in `send` (the web form, the JSON API and the bot all save through this). */
export async function saveBuyerNotificationChoices(shop: Shop, customerId: string, send: readonly CustomerKind[]): Promise<void> {
  const wanted = new Set(send);
  await notificationsOf(shop).setOptedOut(
    customerId,
    CUSTOMER_KINDS.filter((k) => !wanted.has(k)),
  );
}
