import type { Shop } from '../shop.js';
import { storefrontBrands } from './brand.js';

/**
 * The shop name a customer knows, from their `storefrontId`: their storefront's brand name (or the storefront's own
 * name) when they are a storefront's buyer, else (`null`) the owner's shop name. What a notice to them is signed with,
 * on every channel.
 */
export async function shopNameOfStorefront(
  shop: Pick<Shop, 'storage' | 'config' | 'db' | 'shopSchema' | 'clock'>,
  storefrontId: string | null,
): Promise<string> {
  if (storefrontId === null) return shop.config.shopName;
  const brand = await storefrontBrands(shop).get(storefrontId);
  if (brand !== null) return brand.shopName;
  return (await shop.storage.storefronts.get(storefrontId))?.name ?? shop.config.shopName;
}
