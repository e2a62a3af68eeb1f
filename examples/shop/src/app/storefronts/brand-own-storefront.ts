import type { StorefrontBrand } from '../../db/storefront-brands.js';
import type { Shop } from '../shop.js';
import { setStorefrontBrand } from '../storefront-bots/brand.js';
import { ownStorefront } from './own-storefront.js';

/**
 * A reseller sets its own storefront's brand (shop name, support contact, welcome and plan texts): found from the
 * reseller alone (`not_found` for a customer who runs none); bad input is `setStorefrontBrand`'s `invalid_input`.
 */
export async function brandOwnStorefront(shop: Shop, customerId: string, input: unknown): Promise<StorefrontBrand> {
  const storefront = await ownStorefront(shop, customerId);
  return setStorefrontBrand(shop, storefront.id, input);
}
