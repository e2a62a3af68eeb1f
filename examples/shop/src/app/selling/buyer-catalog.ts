import type { Customer, Plan, PriceBookEntry } from '@panelkit/sdk';
import type { Shop } from '../shop.js';
import { plansOnSaleTo } from './buyer-prices.js';

/**
 * The plans on sale as this customer may buy them, at the prices checkout will charge: a storefront's buyer sees its
 * storefront's menu at its retail prices (and no other plan: the owner's and other storefronts' plans are not theirs
 * to buy), a reseller its price book's prices, everyone else the list prices. What every channel's catalog and plan
 * choice lists for a buyer (`plansOnSaleTo` for a visitor who is not signed in yet). `priceBook`: the customer's lines
 * when read with the customer (a bot update's), else read here.
 */
export async function buyerCatalog(
  shop: Shop,
  customer: Pick<Customer, 'id' | 'storefrontId'>,
  priceBook?: readonly PriceBookEntry[],
): Promise<Plan[]> {
  return plansOnSaleTo(
    shop,
    { customerId: customer.id, storefrontId: customer.storefrontId, priceBook },
    await shop.storage.plans.list({ onSale: true }),
  );
}
