import type { Customer, Money, Panel, Plan } from '@panelkit/sdk';
import type { MenuItem, ResellerFigures, Storefront, StorefrontUsageReport } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import { FIGURE_DAYS, lastDays } from './figures-period.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/** One storefront as the owner's page shows it. */
export interface StorefrontDetail {
  storefront: Storefront;
  resellerEmail: string | null;
  usage: StorefrontUsageReport;
  menu: Array<{ item: MenuItem; plan: Plan | null; wholesale: Money | null }>;
  buyers: Array<{ customer: Customer; email: string | null }>;
  /** Its figures over the last `FIGURE_DAYS` days, with its reseller's payout positions now. */
  figures: ResellerFigures;
  panels: Panel[];
  /** Every storefront, for the move form. */
  others: Storefront[];
}

/** How many buyers the owner's page lists. */
const BUYERS_SHOWN = 100;

/** One storefront for the owner: its state, quotas against what its buyers hold, menu, buyers, figures, payouts. */
export async function storefrontDetail(shop: Shop, storefrontId: string, staff: StorefrontStaff): Promise<StorefrontDetail> {
  ownerActor(staff);
  // A missing storefront is the SDK's `NotFoundError`: a 404 on every channel.
  const storefront = await shop.kit.storefronts.get(storefrontId);
  const [account, reseller, usage, menu, book, buyers, figures, panels, others] = await Promise.all([
    shop.accounts.getByCustomer(storefront.resellerId),
    shop.storage.customers.get(storefront.resellerId),
    shop.kit.storefronts.usage(storefront.id),
    shop.kit.storefronts.menu(storefront.id),
    shop.kit.resellers.priceBook(storefront.resellerId),
    shop.kit.storefronts.buyers(storefront.id, { limit: BUYERS_SHOWN }),
    shop.kit.storefronts.resellerFigures(storefront.id, lastDays(shop, FIGURE_DAYS)),
    shop.storage.panels.list(),
    shop.kit.storefronts.list(),
  ]);
  const lines = new Map(book.map((l) => [l.planId, l.price]));
  return {
    storefront,
    resellerEmail: account?.email ?? reseller?.email ?? null,
    usage,
    menu: await Promise.all(
      menu.map(async (item) => {
        const plan = await shop.storage.plans.get(item.planId);
        return { item, plan, wholesale: lines.get(item.planId) ?? plan?.price ?? null };
      }),
    ),
    buyers: await Promise.all(
      buyers.items.map(async (customer) => ({
        customer,
        email: (await shop.accounts.getByCustomer(customer.id))?.email ?? customer.email,
      })),
    ),
    figures,
    panels,
    others,
  };
}
