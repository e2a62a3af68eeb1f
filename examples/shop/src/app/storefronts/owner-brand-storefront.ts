import type { StorefrontBrand } from '../../db/storefront-brands.js';
import type { Shop } from '../shop.js';
import { setStorefrontBrand } from '../storefront-bots/brand.js';
import { refusedAs } from './refusals.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/**
 * The owner sets a storefront's brand for its reseller: admins only (`forbidden` otherwise), an unknown storefront
 * is `not_found`, bad input `setStorefrontBrand`'s `invalid_input`; nothing changes on any refusal.
 */
export async function ownerBrandStorefront(
  shop: Shop,
  storefrontId: string,
  input: unknown,
  staff: StorefrontStaff,
): Promise<StorefrontBrand> {
  ownerActor(staff);
  await refusedAs({ notFound: 'errors.notFound' }, () => shop.kit.storefronts.get(storefrontId));
  return setStorefrontBrand(shop, storefrontId, input);
}
