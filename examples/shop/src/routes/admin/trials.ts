import { Router } from 'express';
import { ctxOf, viewerOf } from '../../http/context.js';
import type { Shop } from '../../app/shop.js';
import { listTrialRefusals } from '../../app/trials/trial-refusals.js';
import { adminPage } from '../../views/admin-layout.js';
import { trialRefusalsBody } from '../../views/admin/trial-refusals-page.js';
import { cursorOf } from './shared.js';

const PAGE_SIZE = 50;

/** `/admin/trials`: refused trial attempts, newest first (the owner's). */
export function trialRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/admin/trials', async (req, res) => {
    const ctx = ctxOf(res);
    const cursor = cursorOf(req);
    const page = await listTrialRefusals(shop, viewerOf(res).account.role, { limit: PAGE_SIZE, cursor });
    const body = trialRefusalsBody(ctx, shop.config.timeZone, page.items, page.nextCursor, cursor === null);
    res.send(adminPage(ctx, { title: ctx.t('trials.admin.title'), body }).value);
  });
  return router;
}
