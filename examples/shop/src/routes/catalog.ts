import { Router } from 'express';
import { ctxOf } from '../http/context.js';
import { noticeFrom } from '../http/notice.js';
import type { Shop } from '../app/shop.js';
import { catalogPage } from '../views/catalog-page.js';
import { groupByLocation } from '../app/plans/catalog-groups.js';
import { localizedPlans } from '../db/plan-texts.js';
import { plansOnSaleTo } from '../app/selling/buyer-prices.js';

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
    const plans = await localizedPlans(shop, listed, ctx.locale);
    res.send(catalogPage(ctxOf(res), groupByLocation(plans), noticeFrom(req)).value);
  });
  return router;
}
