import { Router } from 'express';
import { ctxOf } from '../../http/context.js';
import { ShopError } from '../../app/shop-error.js';
import { isId } from '../../app/input/ids.js';
import { noticeFrom } from '../../http/notice.js';
import { deliveriesOf } from '../../db/notification-deliveries.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { failedDeliveriesBody } from '../../views/admin/deliveries-page.js';

/** Failed notification deliveries, and sending one again. */
export function deliveryRoutes(shop: Shop): Router {
  const router = Router();
  const deliveries = deliveriesOf(shop);
  router.get('/admin/deliveries', async (req, res) => {
    const ctx = ctxOf(res);
    const failed = await deliveries.listFailed(200);
    const body = failedDeliveriesBody(ctx, shop.config.timeZone, failed);
    res.send(adminPage(ctx, { title: ctx.t('notifications.admin.title'), notice: noticeFrom(req), body }).value);
  });
  router.post('/admin/deliveries/:id/retry', async (req, res) => {
    const id = req.params['id'] ?? '';
    if (!isId(id) || !(await deliveries.retry(id))) throw new ShopError('not_found', 'errors.notFound');
    res.redirect(303, '/admin/deliveries?done=notifications.retried');
  });
  return router;
}
