import type { Shop } from '../shop.js';
import { storefrontBrands } from './brand.js';

/**
 * The shop name a customer knows: their storefront's brand name (or the storefront's own name) when they are a
 * storefront's buyer, else the owner's shop name. What a notice to them is signed with, on every channel.
 */
export async function shopNameOf(
  shop: Pick<Shop, 'storage' | 'config' | 'db' | 'shopSchema' | 'clock'>,
  customerId: string,
): Promise<string> {
  const storefrontId = (await shop.storage.customers.get(customerId))?.storefrontId ?? null;
  if (storefrontId === null) return shop.config.shopName;
  const brand = await storefrontBrands(shop).get(storefrontId);
  if (brand !== null) return brand.shopName;
  return (await shop.storage.storefronts.get(storefrontId))?.name ?? shop.config.shopName;
}
