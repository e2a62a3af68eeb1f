import type { Shop } from '../shop.js';
import { connectStorefrontBot, type ConnectedBot } from '../storefront-bots/connect-bot.js';
import { ownStorefront } from './own-storefront.js';

/**
 * A reseller connects its own storefront's bot by its token: the storefront is found from the reseller alone, so no
 * other storefront can be named (`not_found` for a customer who runs none). Refusals are `connectStorefrontBot`'s.
 */
export async function connectOwnBot(shop: Shop, customerId: string, token: string): Promise<ConnectedBot> {
  const storefront = await ownStorefront(shop, customerId);
  return connectStorefrontBot(shop, storefront.id, token);
}
