import type { Shop } from '../shop.js';
import { buyerLinkFor } from './buyer-link.js';

/**
 * The buyer's subscription's own link (beside the customer's one link), serving that subscription alone; created on
 * first use. The caller has checked the subscription is the buyer's.
 */
export async function ownLinkOf(shop: Shop, customerId: string, subscriptionId: string): Promise<string> {
  return buyerLinkFor(shop.config, await shop.kit.links.tokenForSubscription(customerId, subscriptionId));
}

/** A new own link for the buyer's subscription; the old one stops working at once (audited by the engine). */
export async function rotateOwnLink(shop: Shop, customerId: string, subscriptionId: string): Promise<string> {
  const token = await shop.kit.links.rotateForSubscription(customerId, subscriptionId, { type: 'customer', id: customerId });
  return buyerLinkFor(shop.config, token);
}
