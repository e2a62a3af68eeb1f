import type { Customer, Money, Subscription } from '@panelkit/sdk';
import type { AccountRole } from '../../db/accounts.js';
import { TelegramLinkStore } from '../../db/telegram-links.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/** How many of a customer's subscriptions an admin sees at once, newest first. */
export const OVERVIEW_SUBSCRIPTIONS = 100;

/** One customer as an admin sees them on the web's customer page and in the bot's customer card. */
export interface CustomerOverview {
  customer: Customer;
  /** The web account's email, else the customer's own. */
  email: string | null;
  /** The web account's role; `null` without a web account. */
  role: AccountRole | null;
  /** The Telegram user the customer acts through, when there is one. */
  telegram: { userId: string; username: string | null } | null;
  /** The wallet, per currency. */
  balances: Money[];
  subscriptions: Subscription[];
  /** Plan names by plan id, for the subscriptions. */
  planNames: ReadonlyMap<string, string>;
}

/** A customer with their wallet and subscriptions, for staff; `not_found` when there is no such customer. */
export async function customerOverview(shop: Shop, customerId: string): Promise<CustomerOverview> {
  const customer = await shop.storage.customers.get(customerId);
  if (customer === null) throw new ShopError('not_found', 'errors.notFound');
  const links = new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock);
  const [account, link, balances, subscriptions] = await Promise.all([
    shop.accounts.getByCustomer(customer.id),
    links.byCustomer(customer.id),
    shop.kit.customers.balances(customer.id),
    shop.storage.subscriptions.listByCustomer(customer.id, { limit: OVERVIEW_SUBSCRIPTIONS }),
  ]);
  const planNames = new Map<string, string>();
  for (const planId of new Set(subscriptions.items.map((s) => s.planId))) {
    const plan = await shop.storage.plans.get(planId);
    if (plan !== null) planNames.set(planId, plan.name);
  }
  const telegramUserId = link?.telegramUserId ?? customer.telegramId;
  return {
    customer,
    email: account?.email ?? customer.email,
    role: account?.role ?? null,
    telegram: telegramUserId === null ? null : { userId: telegramUserId, username: link?.username ?? null },
    balances,
    subscriptions: subscriptions.items,
    planNames,
  };
}
