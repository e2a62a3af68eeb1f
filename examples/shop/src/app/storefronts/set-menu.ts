import type { Actor } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { ownStorefront } from './own-storefront.js';
import { refusedAs } from './refusals.js';

/** The most plans one menu form may name. */
const MAX_LINES = 500;

/**
 * The reseller sets its own menu: per plan, the retail price its buyers pay (minor units of the shop's currency), or
 * `null` to stop selling it. Every line is checked before anything is written: a plan not on sale, in another
 * currency, a negative or fractional amount, or a retail price below what the reseller pays for the plan (its price
 * book, else the list price) is refused (`invalid_input`, the field named) and no line changes. Unchanged lines are
 * not written; each written line is audited by the SDK. Works on the caller's own storefront only.
 */
export async function setMenu(shop: Shop, customerId: string, prices: ReadonlyMap<string, number | null>): Promise<void> {
  const storefront = await ownStorefront(shop, customerId);
  const { currency } = shop.config;
  if (prices.size > MAX_LINES) throw new ShopError('invalid_input', 'forms.invalid');
  const [plans, book, menu] = await Promise.all([
    shop.storage.plans.list({ onSale: true }),
    shop.kit.resellers.priceBook(customerId),
    shop.kit.storefronts.menu(storefront.id),
  ]);
  const onSale = new Map(plans.filter((p) => p.price.currency === currency).map((p) => [p.id, p]));
  const wholesale = new Map(book.map((line) => [line.planId, line.price.amount]));
  const stored = new Map(menu.map((item) => [item.planId, item.retailPrice.amount]));
  const changes: Array<{ planId: string; amount: number | null }> = [];
  for (const [planId, amount] of prices) {
    const plan = onSale.get(planId);
    const field = `retail_${planId}`;
    if (plan === undefined)
      throw new ShopError('invalid_input', 'storefronts.errors.notSold', {}, { [field]: 'storefronts.errors.notSold' });
    if (amount !== null && (!Number.isSafeInteger(amount) || amount < 0))
      throw new ShopError('invalid_input', 'forms.amount', {}, { [field]: 'forms.amount' });
    if (amount !== null && amount < (wholesale.get(planId) ?? plan.price.amount))
      throw new ShopError('invalid_input', 'storefronts.errors.belowWholesale', {}, { [field]: 'storefronts.errors.belowWholesale' });
    if ((stored.get(planId) ?? null) !== amount) changes.push({ planId, amount });
  }
  const actor: Actor = { type: 'customer', id: customerId };
  for (const change of changes)
    await refusedAs({ validation: 'forms.invalid' }, async () => {
      if (change.amount === null) await shop.kit.storefronts.removeMenuItem(storefront.id, change.planId, actor);
      else
        await shop.kit.storefronts.setMenuItem(
          { storefrontId: storefront.id, planId: change.planId, retailPrice: { amount: change.amount, currency } },
          actor,
        );
    });
}
