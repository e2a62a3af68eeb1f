import type { Shop } from '../shop.js';
import { buyerLinkFor } from './buyer-link.js';

/**
 * The buyer's subscription's own link (beside the customer's one link), serving that subscription alone; created on
 * first use. The caller has checked the subscription is the buyer's.
 */
export async function ownLinkOf(shop: Shop, customerId: string, subscriptionId: string): Promise<string> {
  return buyerLinkFor(shop.config, await shop.kit.links.tokenForSubscription(customerId, subscriptionId));
}

/**
 * The version of the buyer's subscription's own link (`kit.links.subscriptionLinkVersion`): what a confirmation to
 * replace it carries to {@link rotateOwnLink}. The caller has checked the subscription is the buyer's.
 */
export function ownLinkVersionOf(shop: Shop, customerId: string, subscriptionId: string): Promise<string> {
  return shop.kit.links.subscriptionLinkVersion(customerId, subscriptionId);
}

/**
 * A new own link for the buyer's subscription; the old one stops working at once (audited by the engine). With
 * `from` (an {@link ownLinkVersionOf} read when the buyer was asked), only the link still at that version is
 * replaced: a confirmation sent twice, on any replica, replaces it once, and each answer is the link now current.
 */
export async function rotateOwnLink(shop: Shop, customerId: string, subscriptionId: string, from?: string): Promise<string> {
  const actor = { type: 'customer', id: customerId } as const;
  const token = await shop.kit.links.rotateForSubscription(customerId, subscriptionId, actor, from === undefined ? {} : { from });
  return buyerLinkFor(shop.config, token);
}
