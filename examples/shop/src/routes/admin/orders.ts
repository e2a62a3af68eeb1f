import type { Customer, Order } from '@panelkit/sdk';
import { OrderStatusSchema } from '@panelkit/sdk/schemas';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseForm } from '../../app/input/forms.js';
import { formatMoney } from '../../i18n/format.js';
import { mayRefundOrders, orderRefundState, refundOrderByStaff } from '../../app/orders/refund-order.js';
import { amountSchema } from '../../app/payments/amount.js';
import { REQUEST_KEY_PATTERN } from '../../app/payments/provider.js';
import { html } from '../../views/html.js';
import { refundSection, type RefundFormState } from '../../views/admin/order-refund.js';
import { newFormKey } from '../wallet.js';
import { ShopError } from '../../app/shop-error.js';
import { noticeFrom } from '../../http/notice.js';
import { actionsFor, jobsOf, namesOf } from '../../app/ops/subscription-facts.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { orderBody, ordersListBody } from '../../views/admin/order-views.js';
import { cursorOf, queryText } from './shared.js';
import { idParam } from '../../app/input/ids.js';

const PAGE_SIZE = 25;

/** The refund form: an amount in the order's currency, the reason the buyer reads, and the form's nonce (the refund's key). */
const refundSchema = (currency: string) =>
  z.object({
    amount: amountSchema(currency),
    note: z
      .string({ message: 'adminOps.orders.refund.noteRequired' })
      .trim()
      .min(1, { message: 'adminOps.orders.refund.noteRequired' })
      .max(500, { message: 'adminMoney.errors.noteTooLong' }),
    nonce: z.string({ message: 'wallet.errors.formExpired' }).regex(REQUEST_KEY_PATTERN, { message: 'wallet.errors.formExpired' }),
  });

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

  /** The order page; an owner also sees its refund section, with `refund` the form as last posted. */
  async function renderOrder(req: Request, res: Response, status: number, order: Order, refund?: RefundFormState) {
    const ctx = ctxOf(res);
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
    const owner = ctx.viewer !== null && mayRefundOrders(ctx.viewer.account.role);
    const refundHtml = owner
      ? refundSection(ctx, order, await orderRefundState(shop, order), refund ?? { nonce: newFormKey(), values: {} })
      : '';
    res.status(status).send(
      adminPage(ctx, {
        title: ctx.t('adminOps.orders.orderTitle'),
        notice: refund === undefined ? noticeFrom(req) : null,
        body: html`${orderBody(ctx, shop.config.timeZone, order, customer, names, views)}${refundHtml}`,
      }).value,
    );
  }

  router.get('/admin/orders/:id', async (req, res) => {
    const order = await storage.orders.get(idParam(req));
    if (order === null) throw new ShopError('not_found', 'errors.notFound');
    await renderOrder(req, res, 200, order);
  });

  router.post('/admin/orders/:id/refund', async (req, res) => {
    const ctx = ctxOf(res);
    const order = await storage.orders.get(idParam(req));
    if (order === null) throw new ShopError('not_found', 'errors.notFound');
    const source = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(
      ['amount', 'note', 'nonce'].flatMap((n) => (typeof source[n] === 'string' ? [[n, (source[n] as string).slice(0, 600)]] : [])),
    );
    const nonce = values['nonce'] !== undefined && REQUEST_KEY_PATTERN.test(values['nonce']) ? values['nonce'] : newFormKey();
    const form = parseForm(refundSchema(order.total.currency), req.body, ctx.t);
    if (!form.ok) return renderOrder(req, res, 400, order, { nonce, values, errors: form.fields });
    const { account } = viewerOf(res);
    const result = await refundOrderByStaff(shop, {
      order,
      amount: form.data.amount,
      note: form.data.note,
      nonce: form.data.nonce,
      staff: { accountId: account.id, role: account.role },
    });
    if (!result.ok) {
      if (result.reason === 'forbidden') throw new ShopError('forbidden', 'staff.ownersOnly');
      const refundable = formatMoney({ amount: result.refundable, currency: order.total.currency }, ctx.locale);
      const message = ctx.t(`adminOps.orders.refund.refused.${result.reason}`, { refundable });
      return renderOrder(req, res, 409, order, { nonce, values, errors: { amount: message } });
    }
    const done = result.full ? 'adminOps.order_refunded_full' : 'adminOps.order_refunded';
    res.redirect(303, `/admin/orders/${encodeURIComponent(order.id)}?done=${done}`);
  });

  return router;
}
