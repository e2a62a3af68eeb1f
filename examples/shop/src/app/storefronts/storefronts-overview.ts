import type { Money } from '@panelkit/sdk';
import type { Storefront, StorefrontFigures } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import { FIGURE_DAYS, lastDays } from './figures-period.js';
import { ownerActor, type StorefrontStaff } from './staff.js';

/** One storefront as the owner's list shows it: who runs it, its buyers, and its figures over the period. */
export interface StorefrontRow {
  storefront: Storefront;
  /** The reseller's sign-in e-mail (or the customer's), `null` when it has none. */
  resellerEmail: string | null;
  buyers: number;
  /**
   * Its sales split over the period and its reseller's withdrawals paid in it and waiting now (the SDK's read model);
   * `null` when it sold nothing in it and no withdrawal was paid in it or waits.
   */
  figures: StorefrontFigures | null;
}

/** The owner's storefront list and the shop's revenue split over the period. */
export interface StorefrontsOverview {
  rows: StorefrontRow[];
  /** The whole shop's net revenue over the period, and the owner's own shop's part of it. */
  revenue: Money[];
  ownShopRevenue: Money[];
  days: number;
}

/**
 * Every storefront with its figures over the last `FIGURE_DAYS` days: the SDK's sales read model split by storefront
 * (what buyers paid, what resellers paid at their prices, their margin, payouts), and the owner's own shop's
 * revenue beside them. The owner's alone.
 */
export async function storefrontsOverview(shop: Shop, staff: StorefrontStaff): Promise<StorefrontsOverview> {
  ownerActor(staff);
  const [storefronts, split] = await Promise.all([shop.kit.storefronts.list(), shop.kit.storefronts.figures(lastDays(shop, FIGURE_DAYS))]);
  const byId = new Map(split.storefronts.map((f) => [f.storefrontId, f]));
  const rows = await Promise.all(
    storefronts.map(async (storefront) => {
      const [account, customer, usage] = await Promise.all([
        shop.accounts.getByCustomer(storefront.resellerId),
        shop.storage.customers.get(storefront.resellerId),
        shop.kit.storefronts.usage(storefront.id),
      ]);
      return {
        storefront,
        resellerEmail: account?.email ?? customer?.email ?? null,
        buyers: usage.buyers,
        figures: byId.get(storefront.id) ?? null,
      };
    }),
  );
  return { rows, revenue: split.revenue, ownShopRevenue: split.ownShopRevenue, days: FIGURE_DAYS };
}
