import type { Storefront } from '@panelkit/sdk/storefronts';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/**
 * The storefront the signed-in customer runs, found by the customer alone (a session or its API token), never by
 * an id the caller sends: a reseller reaches its own storefront and nothing else. `not_found` for anyone who runs none.
 */
export async function ownStorefront(shop: Shop, customerId: string): Promise<Storefront> {
  const storefront = await shop.kit.storefronts.byReseller(customerId);
  if (storefront === null) throw new ShopError('not_found', 'errors.notFound');
  return storefront;
}
