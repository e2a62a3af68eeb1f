import { subscriptionLinkUrl } from '../../config/public-addresses.js';
import type { Shop } from '../shop.js';

/**
 * The one link a buyer is given, on every channel (web pages, the JSON API, the bot, notices and e-mails): the
 * shop's `/s/<token>` on its shown address, created on first use. Never a panel's own subscription URL, which would
 * bypass the link's device checks and show the panel's address; staff pages may still show that one.
 */
export async function buyerLinkOf(shop: Shop, customerId: string): Promise<string> {
  return buyerLinkFor(shop.config, await shop.kit.links.tokenFor(customerId));
}

/** The buyer's link (see {@link buyerLinkOf}) whose token is `token`. */
export function buyerLinkFor(config: Shop['config'], token: string): string {
  return subscriptionLinkUrl(config, token);
}
