import type { Shop } from '../../app/shop.js';
import type { BotUser } from '../context.js';

/**
 * The buyer's balance in `currency` (minor units): as read with the customer in the update's claim (`BotUser.balances`,
 * a currency not listed there is 0), else read now (`ledger.balance`).
 */
export async function buyerBalance(shop: Shop, user: BotUser, currency: string): Promise<number> {
  if (user.balances !== undefined) return user.balances.find((b) => b.currency === currency)?.amount ?? 0;
  return shop.storage.ledger.balance(user.customer.id, currency);
}
