import type { Plan, PriceBookEntry } from '@panelkit/sdk';
import { sellsAtOnePrice } from '../plans/one-price.js';
import { plansForBuyer } from '../selling/buyer-prices.js';
import type { Shop } from '../shop.js';

/**
 * Whether a plan, as this buyer buys it, can be given: it costs something (`free_plan`) and is not one the buyer
 * composes (`built_plan`: a gift carries no choice of parts, so such a plan has no one price to pay). The SDK's
 * `kit.gifts.buy` refuses the others; the shop offers none of them.
 */
export function isGiftable(plan: Plan): boolean {
  return sellsAtOnePrice(plan) && plan.price.amount > 0;
}

/**
 * The plans on sale a customer may buy as a gift ({@link isGiftable}), at their prices (`plansForBuyer`): the one list
 * behind the web's gifts page and the bot's. `priceBook`: the customer's lines when already read with them.
 */
export async function giftablePlans(shop: Shop, customerId: string, priceBook?: readonly PriceBookEntry[]): Promise<Plan[]> {
  const onSale = await shop.storage.plans.list({ onSale: true });
  return (await plansForBuyer(shop, customerId, onSale, priceBook)).filter(isGiftable);
}
