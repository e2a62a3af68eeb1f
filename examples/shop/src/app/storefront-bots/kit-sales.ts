import type { Shop } from '../shop.js';
import type { StorefrontSales } from './storefront-sales.js';

/** {@link StorefrontSales} on the SDK's storefronts: the storefront as stored, and new buyers made with `storefrontId` set. */
export function kitStorefrontSales(shop: Pick<Shop, 'kit' | 'storage'>): StorefrontSales {
  return {
    async storefront(storefrontId) {
      const found = await shop.storage.storefronts.get(storefrontId);
      return found === null ? null : { id: found.id, name: found.name, status: found.status, resellerId: found.resellerId };
    },
    createBuyer: (storefrontId, input) => shop.kit.customers.create({ ...input, storefrontId }),
  };
}
