import type { Shop } from '../shop.js';
import type { StorefrontSales } from './storefront-sales.js';

/**
 * {@link StorefrontSales} on the SDK's storefronts: the storefront as stored, its catalog (the plans on its menu that
 * are on sale, each priced at the storefront's retail price: the price its buyers' checkout charges), and new
 * buyers made with `storefrontId` set.
 */
export function kitStorefrontSales(shop: Pick<Shop, 'kit' | 'storage'>): StorefrontSales {
  return {
    async storefront(storefrontId) {
      const found = await shop.storage.storefronts.get(storefrontId);
      return found === null ? null : { id: found.id, name: found.name, status: found.status };
    },
    async offers(storefrontId) {
      const catalog = await shop.kit.storefronts.catalog(storefrontId);
      return catalog.map((item) => ({ plan: item.plan, retail: item.plan.price }));
    },
    createBuyer: (storefrontId, input) => shop.kit.customers.create({ ...input, storefrontId }),
  };
}
