import type { Customer } from '@panelkit/sdk';
import type { Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';

/**
 * The buyer's language, the one their notices, bot and pages use, as they chose it on the web (`/lang/…`) or in
 * the bot (the language buttons). Writes only when it changes; `null` for a customer the shop does not have.
 */
export async function setCustomerLanguage(shop: Shop, customerId: string, locale: Locale): Promise<Customer | null> {
  const customer = await shop.storage.customers.get(customerId);
  if (customer === null || customer.locale === locale) return customer;
  return shop.storage.customers.update(customerId, { locale });
}
