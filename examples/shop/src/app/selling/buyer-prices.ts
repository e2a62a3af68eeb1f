import { buyerPlan, type Plan, type PriceBookEntry } from '@panelkit/sdk';
import { plansPricedByBook } from '@panelkit/sdk/rules';
import type { Shop } from '../shop.js';

/**
 * The plans as this customer buys them: a reseller sees its price book's prices (the ones checkout will
 * charge), everyone else (and a visitor, `null`) the list prices. `priceBook`: the customer's lines when already
 * read with the customer (`kit.customers.withPriceBook`), else they are read here.
 */
export async function plansForBuyer(
  shop: Shop,
  customerId: string | null,
  plans: readonly Plan[],
  priceBook?: readonly PriceBookEntry[],
): Promise<Plan[]> {
  if (customerId === null) return [...plans];
  if (priceBook !== undefined) return plansPricedByBook(plans, priceBook);
  return buyerPlan(shop.storage, customerId, plans);
}

/**
 * The plans as checkout will sell them to whoever looks: a storefront's buyer (or a visitor who came through its web
 * address, `storefrontId`) only the ones it sells now, at its retail prices, as the SDK says (`kit.storefronts.plansSold`,
 * the definition its checkouts sell by), in the order given; anyone else {@link plansForBuyer}. Gifts are not a storefront's sale and keep
 * `plansForBuyer`.
 */
export async function plansOnSaleTo(
  shop: Shop,
  who: { customerId: string | null; storefrontId: string | null; priceBook?: readonly PriceBookEntry[] },
  plans: readonly Plan[],
): Promise<Plan[]> {
  if (who.storefrontId === null) return plansForBuyer(shop, who.customerId, plans, who.priceBook);
  return shop.kit.storefronts.plansSold(who.storefrontId, plans);
}

/** What a buyer's wallet can pay in a currency: its balance and its credit limit (0 for a customer without credit), minor units. */
export interface WalletRoom {
  balance: number;
  creditLimit: number;
}

/** The balance and credit limit of a customer in `currency`. Only for showing: the ledger decides at the debit. */
export async function walletRoom(shop: Shop, customerId: string, currency: string): Promise<WalletRoom> {
  const [balance, creditLimit] = await Promise.all([
    shop.storage.ledger.balance(customerId, currency),
    shop.storage.ledger.creditLimit(customerId, currency),
  ]);
  return { balance, creditLimit };
}
