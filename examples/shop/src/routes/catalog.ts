import { Router } from 'express';
import { ctxOf } from '../http/context.js';
import { noticeFrom } from '../http/notice.js';
import type { Shop } from '../app/shop.js';
import { catalogPage } from '../views/catalog-page.js';
import { groupByLocation } from '../app/plans/catalog-groups.js';
import { localizedPlans } from '../db/plan-texts.js';
import { plansOnSaleTo } from '../app/selling/buyer-prices.js';
import { withBrandPlanNames } from '../app/storefront-bots/brand-texts.js';

export function catalogRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const ctx = ctxOf(res);
    // A reseller sees the prices it buys at; a storefront's buyer or visitor its menu at retail.
    const listed = await plansOnSaleTo(
      shop,
      { customerId: ctx.viewer?.customer.id ?? null, storefrontId: ctx.storefront?.id ?? null },
      await shop.storage.plans.list({ onSale: true }),
    );
    // A storefront's buyer or visitor sees its own names for the plans, as in its bot.
    const plans = withBrandPlanNames(await localizedPlans(shop, listed, ctx.locale), ctx.storefront?.planNames, ctx.locale);
    res.send(catalogPage(ctx, groupByLocation(plans, await shop.kit.locations.list(), ctx.locale), noticeFrom(req)).value);
  });
  return router;
}
