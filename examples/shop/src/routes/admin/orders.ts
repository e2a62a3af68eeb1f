import { OrderStatusSchema, type Customer } from '@panelkit/sdk';
import { Router } from 'express';
import { ctxOf } from '../../http/context.js';
import { HttpError } from '../../http/http-error.js';
import { noticeFrom } from '../../http/notice.js';
import { actionsFor, jobsOf, namesOf } from '../../ops/subscription-facts.js';
import type { Shop } from '../../stack/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { orderBody, ordersListBody } from '../../views/admin/order-views.js';
import { cursorOf, queryText } from './shared.js';
import { idParam } from '../../http/ids.js';

const PAGE_SIZE = 25;

export function orderRoutes(shop: Shop): Router {
  const router = Router();
  const { storage } = shop;

  router.get('/admin/orders', async (req, res) => {
    const ctx = ctxOf(res);
    const parsedStatus = OrderStatusSchema.safeParse(queryText(req, 'status', 40));
    const status = parsedStatus.success ? parsedStatus.data : undefined;
    const cursor = cursorOf(req);
    const page = await storage.orders.list(status === undefined ? {} : { status }, { limit: PAGE_SIZE, cursor });
    const customers = new Map<string, Customer | null>();
    for (const id of new Set(page.items.map((o) => o.customerId))) customers.set(id, await storage.customers.get(id));
    res.send(
      adminPage(ctx, {
        title: ctx.t('adminOps.orders.title'),
        body: ordersListBody(ctx, shop.config.timeZone, {
          orders: page.items,
          customers,
          status: status ?? '',
          nextCursor: page.nextCursor,
          firstPage: cursor === null,
        }),
      }).value,
    );
  });

  router.get('/admin/orders/:id', async (req, res) => {
    const ctx = ctxOf(res);
    const order = await storage.orders.get(idParam(req));
    if (order === null) throw new HttpError(404, 'errors.notFound');
    const [customer, subs, names] = await Promise.all([
      storage.customers.get(order.customerId),
      storage.subscriptions.listByOrder(order.id),
      namesOf(shop),
    ]);
    const views = await Promise.all(
      subs.map(async (sub) => {
        const jobs = await jobsOf(shop, sub.id);
        return { sub, jobs, actions: actionsFor(sub, jobs) };
      }),
    );
    res.send(
      adminPage(ctx, {
        title: ctx.t('adminOps.orders.orderTitle'),
        notice: noticeFrom(req),
        body: orderBody(ctx, shop.config.timeZone, order, customer, names, views),
      }).value,
    );
  });

  return router;
}
