import type { Customer, Plan } from '@panelkit/sdk';
import type { Shop } from '../shop.js';
import { plansForBuyer } from './buyer-prices.js';

/**
 * The plans on sale as this customer may buy them, at the prices checkout will charge: a storefront's buyer sees its
 * storefront's menu at its retail prices (and no other plan: the owner's and other storefronts' plans are not theirs
 * to buy), a reseller its price book's prices, everyone else the list prices. What every channel's catalog and plan
 * choice lists for a buyer.
 */
export async function buyerCatalog(shop: Shop, customer: Pick<Customer, 'id' | 'storefrontId'>): Promise<Plan[]> {
  if (customer.storefrontId !== null) return (await shop.kit.storefronts.catalog(customer.storefrontId)).map((item) => item.plan);
  return plansForBuyer(shop, customer.id, await shop.storage.plans.list({ onSale: true }));
}
