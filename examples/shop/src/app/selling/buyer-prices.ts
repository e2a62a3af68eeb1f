import { buyerPlan, type Plan } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/**
 * The plans as this customer buys them: a reseller sees its price book's prices (the ones checkout will
 * charge), everyone else (and a visitor, `null`) the list prices.
 */
export async function plansForBuyer(shop: Shop, customerId: string | null, plans: readonly Plan[]): Promise<Plan[]> {
  if (customerId === null) return [...plans];
  return Promise.all(plans.map((plan) => buyerPlan(shop.storage, customerId, plan)));
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
