import type { Customer, Money, Plan } from '@panelkit/sdk';
import type { ResellerFigures, Storefront, Withdrawal } from '@panelkit/sdk/storefronts';
import { sellsAtOnePrice } from '../plans/one-price.js';
import type { Shop } from '../shop.js';
import { NO_BOT, type BotHealthSource, type StorefrontBotHealth } from './bot-health.js';
import { thisMonth } from './figures-period.js';
import { ownStorefront } from './own-storefront.js';

/** One plan of the reseller's menu: what the reseller pays for it (its price book, else the list price) and sells it at. */
export interface MenuRow {
  plan: Plan;
  wholesale: Money;
  /** The retail price its buyers pay; `null` when the storefront does not sell the plan. */
  retail: Money | null;
}

/** A reseller's back office: everything about its own storefront, and nothing about anyone else's. */
export interface BackOffice {
  storefront: Storefront;
  currency: string;
  menu: MenuRow[];
  /** The plans on sale the buyer composes: no menu line takes them (`sellsAtOnePrice`), and the page says so. */
  builtPlans: Plan[];
  /** This calendar month's sales split (days of the shop's time zone), from the SDK's read model for this storefront. */
  month: ResellerFigures;
  /** The month's first day, `YYYY-MM-DD`. */
  monthFrom: string;
  /** The payout balance in the shop's currency (what may still be asked), minor units. */
  payoutBalance: number;
  /**
   * Asked or approved withdrawals not paid yet, minor units: `month.payoutsWaiting` in the shop's currency, the figure
   * the owner's storefront page shows.
   */
  held: number;
  withdrawals: Withdrawal[];
  buyers: Array<{ customer: Customer; email: string | null }>;
  buyerCount: number;
  bot: StorefrontBotHealth;
}

/** How many buyers and withdrawals the back office lists. */
export const OFFICE_LIST_LIMIT = 100;

/**
 * The signed-in reseller's back office, read for its own storefront only (found from the customer, see
 * `ownStorefront`): its menu, buyers, this month's sales and margin (the SDK's read model for this storefront),
 * its payout balance and withdrawals, and its bot's health from `botHealth` when the bot runtime is wired.
 */
export async function backOffice(shop: Shop, customerId: string, botHealth: BotHealthSource | null): Promise<BackOffice> {
  const storefront = await ownStorefront(shop, customerId);
  const { currency } = shop.config;
  const period = thisMonth(shop);
  const [plans, book, menu, month, withdrawals, buyers, bot] = await Promise.all([
    shop.storage.plans.list({ onSale: true }),
    shop.kit.resellers.priceBook(customerId),
    shop.kit.storefronts.menu(storefront.id),
    shop.kit.storefronts.resellerFigures(storefront.id, period),
    shop.kit.payouts.list({ partnerId: customerId }, { limit: OFFICE_LIST_LIMIT }),
    shop.kit.storefronts.buyers(storefront.id, { limit: OFFICE_LIST_LIMIT }),
    botHealth === null ? NO_BOT : botHealth(storefront.id),
  ]);
  const position = month.payouts.find((p) => p.currency === currency);
  const lines = new Map(book.map((line) => [line.planId, line]));
  const retail = new Map(menu.map((item) => [item.planId, item.retailPrice]));
  return {
    storefront,
    currency,
    menu: plans
      // A plan the buyer composes has no one retail price: storefronts do not sell it (the page says so).
      .filter((plan) => plan.price.currency === currency && sellsAtOnePrice(plan))
      .map((plan) => ({ plan, wholesale: lines.get(plan.id)?.price ?? plan.price, retail: retail.get(plan.id) ?? null })),
    builtPlans: plans.filter((plan) => plan.price.currency === currency && !sellsAtOnePrice(plan)),
    month,
    monthFrom: period.from,
    payoutBalance: position?.available ?? 0,
    held: month.payoutsWaiting.find((m) => m.currency === currency)?.amount ?? 0,
    withdrawals: withdrawals.items,
    buyers: await Promise.all(
      buyers.items.map(async (customer) => ({
        customer,
        email: (await shop.accounts.getByCustomer(customer.id))?.email ?? customer.email,
      })),
    ),
    buyerCount: month.buyers,
    bot,
  };
}
