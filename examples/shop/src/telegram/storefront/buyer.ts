import { ConflictError, type Customer } from '@panelkit/sdk';
import type { User } from 'grammy/types';
import { localeOfTelegramUser } from '../../app/auth/telegram-buyers.js';
import type { Shop } from '../../app/shop.js';
import type { StorefrontView } from '../../app/storefront-bots/storefront-sales.js';
import type { StorefrontDeps } from './context.js';

/** The customer's own id for a Telegram user who came through a storefront's bot (unique in the engine). */
export function storefrontExternalRef(storefrontId: string, telegramUserId: string): string {
  return `telegram:${storefrontId}:${telegramUserId}`;
}

/**
 * The customer a Telegram user is in this storefront: linked already, else made now as the storefront's buyer
 * (`customers.storefrontId`) and linked. Safe under concurrent first updates on any replica: the engine's unique
 * external reference makes one customer, and the first link stands.
 */
export async function storefrontBuyer(deps: StorefrontDeps, storefrontId: string, user: User, chatId: string): Promise<Customer> {
  const { shop, buyers, sales } = deps;
  const telegramUserId = String(user.id);
  let link = await buyers.get(storefrontId, telegramUserId);
  if (link === null) {
    const ref = storefrontExternalRef(storefrontId, telegramUserId);
    let customer = await shop.storage.customers.getByExternalRef(ref);
    if (customer === null) {
      const name = [user.first_name, user.last_name].filter(Boolean).join(' ').slice(0, 200) || null;
      try {
        customer = await sales.createBuyer(storefrontId, { externalRef: ref, name, locale: localeOfTelegramUser(user) });
      } catch (error) {
        customer = ConflictError.is(error) ? await shop.storage.customers.getByExternalRef(ref) : null;
        if (customer === null) throw error;
      }
    }
    link = await buyers.linkIfNew({ storefrontId, telegramUserId, chatId, customerId: customer.id });
  }
  const customer = await shop.storage.customers.get(link.customerId);
  if (customer === null) throw new Error(`storefront ${storefrontId}'s Telegram user ${telegramUserId} is linked to a missing customer`);
  return customer;
}

/**
 * Who the storefront's reseller is in their own bot (the Telegram user their shop account is linked to): that
 * account's customer, as on every other channel, never a buyer of their own storefront. So they are not among its
 * buyers (the office's list, its figures, its broadcasts); they get the back office, and the buyer screens show their
 * own subscriptions and wallet at the prices they buy at, as the web shows them.
 */
export async function resellerCustomer(shop: Shop, view: StorefrontView): Promise<Customer> {
  const customer = await shop.storage.customers.get(view.resellerId);
  if (customer === null) throw new Error(`storefront ${view.id}'s reseller ${view.resellerId} is a missing customer`);
  return customer;
}
