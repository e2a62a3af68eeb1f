import type { Customer } from '@panelkit/sdk';
import { isId } from '../input/ids.js';
import type { Shop } from '../shop.js';

/**
 * The customer the owner typed on a storefront form: a customer id, or the e-mail of a shop account (or of a
 * customer). `null` when there is none.
 */
export async function customerTyped(shop: Shop, typed: string): Promise<Customer | null> {
  const text = typed.trim();
  if (text === '' || text.length > 320) return null;
  if (text.includes('@')) {
    const account = await shop.accounts.getByEmail(text);
    if (account !== null) return shop.storage.customers.get(account.customerId);
    return shop.storage.customers.getByEmail(text.toLowerCase());
  }
  return isId(text) ? shop.storage.customers.get(text) : null;
}
