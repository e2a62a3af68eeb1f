import type { Actor } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/**
 * A new `/s/<token>` for the customer (the old one stops answering at once), audited by the SDK
 * (`subscription_link.rotated`): the one use case behind the dashboard's button, the JSON API and the bot (and the
 * admin's, with the admin as actor). Returns the new token.
 */
export function rotateSubscriptionLink(shop: Shop, customerId: string, actor: Actor): Promise<string> {
  return shop.kit.links.rotate(customerId, actor);
}

/**
 * Staff giving a customer a new `/s/<token>` (the web's customer page and the bot's customer card): the same
 * rotation, audited with the staff member as actor; `not_found` for no such customer, and nothing changes.
 */
export async function rotateSubscriptionLinkAsStaff(shop: Shop, customerId: string, actor: Actor): Promise<void> {
  if ((await shop.storage.customers.get(customerId)) === null) throw new ShopError('not_found', 'errors.notFound');
  await rotateSubscriptionLink(shop, customerId, actor);
}
