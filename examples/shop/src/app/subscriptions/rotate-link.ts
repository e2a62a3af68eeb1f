import type { Actor } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/**
 * The version of the customer's `/s/<token>` (`kit.links.linkVersion`): what a confirmation to replace it carries to
 * {@link rotateSubscriptionLink} (the dashboard's form, the bot's confirm button, the JSON API's `version`).
 */
export function subscriptionLinkVersionOf(shop: Shop, customerId: string): Promise<string> {
  return shop.kit.links.linkVersion(customerId);
}

/**
 * A new `/s/<token>` for the customer (the old one stops answering at once), audited by the SDK
 * (`subscription_link.rotated`): the one use case behind the dashboard's button, the JSON API and the bot (and the
 * admin's, with the admin as actor). With `from` (a {@link subscriptionLinkVersionOf} read when the buyer was asked),
 * only the link still at that version is replaced: a confirmation sent twice, on any replica, replaces it once, and
 * each answer is the link now current. Returns the customer's token after the call.
 */
export function rotateSubscriptionLink(shop: Shop, customerId: string, actor: Actor, from?: string): Promise<string> {
  return shop.kit.links.rotate(customerId, actor, from === undefined ? {} : { from });
}

/**
 * Staff giving a customer a new `/s/<token>` (the web's customer page and the bot's customer card): the same
 * rotation, audited with the staff member as actor; `not_found` for no such customer, and nothing changes.
 */
export async function rotateSubscriptionLinkAsStaff(shop: Shop, customerId: string, actor: Actor): Promise<void> {
  if ((await shop.storage.customers.get(customerId)) === null) throw new ShopError('not_found', 'errors.notFound');
  await rotateSubscriptionLink(shop, customerId, actor);
}
