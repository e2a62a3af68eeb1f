import type { Plan } from '@panelkit/sdk';
import { Router } from 'express';
import { ctxOf } from '../http/context.js';
import { noticeFrom } from '../http/notice.js';
import type { Shop } from '../app/shop.js';
import { catalogPage, type CatalogGroup } from '../views/catalog-page.js';
import { localizedPlans } from '../app/plans/plan-texts.js';
import { plansForBuyer } from '../app/selling/buyer-prices.js';

/** Plans on sale, grouped by the locations they may be placed in (a plan open to several appears under each). */
export function groupByLocation(plans: Plan[]): CatalogGroup[] {
  const groups = new Map<string | null, Plan[]>();
  for (const plan of plans) {
    const locations = plan.placement.allowedLocations.length === 0 ? [null] : plan.placement.allowedLocations;
    for (const location of locations) groups.set(location, [...(groups.get(location) ?? []), plan]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([location, list]) => ({ location, plans: list }));
}

export function catalogRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const ctx = ctxOf(res);
    // A reseller sees the prices it buys at.
    const listed = await plansForBuyer(shop, ctx.viewer?.customer.id ?? null, await shop.storage.plans.list({ onSale: true }));
    const plans = await localizedPlans(shop, listed, ctx.locale);
    res.send(catalogPage(ctxOf(res), groupByLocation(plans), noticeFrom(req)).value);
  });
  return router;
}
