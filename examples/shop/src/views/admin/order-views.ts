import { ORDER_STATUSES, type Customer, type Job, type Order, type Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import { formatMoney, formatNumber } from '../../i18n/format.js';
import type { SubscriptionActions } from '../../app/ops/subscription-facts.js';
import { html, type SafeHtml } from '../html.js';
import { subscriptionCard, type Names } from './subscription-views.js';
import { badge, pager, table, when } from './widgets.js';

function customerLink(customer: Customer | null, id: string): SafeHtml {
  return html`<a href="/admin/customers/${id}">${customer?.email ?? id}</a>`;
}

export function ordersListBody(
  ctx: RequestContext,
  timeZone: string,
  options: {
    orders: Order[];
    customers: ReadonlyMap<string, Customer | null>;
    status: string;
    nextCursor: string | null;
    firstPage: boolean;
  },
): SafeHtml {
  const { t, locale } = ctx;
  return html`<h1>${t('adminOps.orders.title')}</h1>
<form method="get" action="/admin/orders" class="filters" data-testid="orders-filter">
  <label for="f-status">${t('adminOps.orders.status')}
    <select id="f-status" name="status">
      <option value="">${t('adminOps.all')}</option>
      ${ORDER_STATUSES.map((s) => html`<option value="${s}" ${s === options.status ? html`selected` : ''}>${t(`adminOps.orderStatus.${s}`)}</option>`)}
    </select>
  </label>
  <button type="submit" class="small">${t('adminOps.filter')}</button>
</form>
${
  options.orders.length === 0
    ? html`<p class="muted">${t('adminOps.orders.none')}</p>`
    : table(
        [
          t('adminOps.orders.createdAt'),
          t('adminOps.orders.order'),
          t('adminOps.orders.customer'),
          t('adminOps.orders.total'),
          t('adminOps.orders.status'),
        ],
        options.orders.map(
          (o) => html`<tr data-testid="order-row" data-order-id="${o.id}">
  <td>${when(ctx, timeZone, o.createdAt)}</td>
  <td><a class="ltr" href="/admin/orders/${o.id}">${o.id}</a> <small class="muted">${t('adminOps.orders.itemCount', { count: o.items.reduce((n, i) => n + i.quantity, 0) })}</small></td>
  <td>${customerLink(options.customers.get(o.customerId) ?? null, o.customerId)}</td>
  <td>${formatMoney(o.total, locale)}</td>
  <td>${badge(ctx, 'orderStatus', o.status)}</td>
</tr>`,
        ),
        'orders',
      )
}
${pager(ctx, '/admin/orders', { status: options.status }, options.nextCursor, options.firstPage)}`;
}

export interface OrderSubscriptionView {
  sub: Subscription;
  jobs: Job[];
  actions: SubscriptionActions;
}

export function orderBody(
  ctx: RequestContext,
  timeZone: string,
  order: Order,
  customer: Customer | null,
  names: Names,
  subs: OrderSubscriptionView[],
): SafeHtml {
  const { t, locale } = ctx;
  const back = `/admin/orders/${order.id}`;
  return html`<h1>${t('adminOps.orders.orderTitle')} <span class="ltr">${order.id}</span></h1>
<section class="card">
  <dl class="facts" data-testid="order-facts">
    <dt>${t('adminOps.orders.status')}</dt><dd data-testid="order-status">${badge(ctx, 'orderStatus', order.status)}</dd>
    <dt>${t('adminOps.orders.customer')}</dt><dd>${customerLink(customer, order.customerId)}</dd>
    <dt>${t('adminOps.orders.createdAt')}</dt><dd>${when(ctx, timeZone, order.createdAt)}</dd>
    <dt>${t('adminOps.orders.total')}</dt><dd data-testid="order-total">${formatMoney(order.total, locale)}</dd>
  </dl>
</section>
<h2>${t('adminOps.orders.items')}</h2>
${table(
  [t('adminOps.subscriptions.plan'), t('adminOps.orders.quantity'), t('adminOps.orders.unitPrice')],
  order.items.map(
    (item) => html`<tr data-testid="order-item">
  <td>${names.get(item.planId) ?? item.planId}${item.trial ? html` <span class="badge">${t('adminOps.orders.trial')}</span>` : ''}</td>
  <td>${formatNumber(item.quantity, locale)}</td>
  <td>${formatMoney(item.unitPrice, locale)}</td>
</tr>`,
  ),
  'order-items',
)}
<h2>${t('adminOps.orders.subscriptions')}</h2>
${subs.length === 0 ? html`<p class="muted">${t('adminOps.orders.noSubscriptions')}</p>` : subs.map((s) => subscriptionCard(ctx, timeZone, s.sub, names, s.jobs, s.actions, back))}`;
}
