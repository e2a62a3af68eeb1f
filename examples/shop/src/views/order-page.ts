import { splitDiscount } from '@panelkit/sdk/rules';
import type { Money, Order, Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatDateTime, formatMoney } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { statusBadge } from './subscription-bits.js';
import { subscriptionLinkCard, type SubscriptionLinkView } from './subscription-link-card.js';

export interface OrderView {
  order: Order;
  subscriptions: Subscription[];
  planNames: ReadonlyMap<string, string>;
  /** Whether a pending subscription waits for a server known to be down (`kit.pendingReason`). */
  serverDown: boolean;
  timeZone: string;
  notice: string | null;
  /** The buyer's shop-owned link once a subscription of the order is live, else `null`. */
  shopLink: SubscriptionLinkView | null;
  /** The discount code the order was bought with and what it took off, or `null`. */
  discount?: { code: string; amount: Money } | null;
}

/**
 * What a failed subscription's refund was: what was paid for it, its line's unit price less its share
 * of a discount (split over the units as the engine split it, `splitDiscount`, in the order the
 * subscriptions were made); a trial's is zero.
 */
function refundNote(ctx: RequestContext, view: OrderView, sub: Subscription): string {
  const { order } = view;
  const line = order.items.find((i) => i.planId === sub.planId && i.trial === sub.trial);
  let price = line?.unitPrice ?? { amount: 0, currency: order.total.currency };
  if (view.discount) {
    const units = order.items.flatMap((i) => Array.from({ length: i.quantity }, () => i.unitPrice.amount));
    const index = view.subscriptions.findIndex((s) => s.id === sub.id);
    const paid = splitDiscount(units, view.discount.amount.amount)[index];
    if (paid !== undefined) price = { amount: paid, currency: price.currency };
  }
  return price.amount > 0
    ? ctx.t('checkout.order.refunded', { amount: formatMoney(price, ctx.locale) })
    : ctx.t('checkout.order.failedFree');
}

export function orderPage(ctx: RequestContext, view: OrderView): SafeHtml {
  const { t, locale } = ctx;
  const { order, subscriptions } = view;
  const pending = subscriptions.some((s) => s.status === 'pending');
  return page(ctx, {
    title: t('checkout.order.title'),
    notice: view.notice,
    // Refreshes itself while the worker is still creating clients (the CSP allows a meta refresh).
    head: pending ? html`<meta http-equiv="refresh" content="3">` : '',
    body: html`<h1>${t('checkout.order.title')}</h1>
<section class="card" data-testid="order" data-order-id="${order.id}">
  <dl class="facts">
    <dt>${t('checkout.order.status')}</dt><dd><span class="badge ${order.status}" data-testid="order-status" data-status="${order.status}">${t(`checkout.order.statuses.${order.status}`)}</span></dd>
    <dt>${t('checkout.order.placedAt')}</dt><dd>${formatDateTime(order.createdAt, locale, view.timeZone)}</dd>
    ${view.discount ? html`<dt>${t('discounts.code.line', { code: view.discount.code })}</dt><dd data-testid="order-discount">−${formatMoney(view.discount.amount, locale)}</dd>` : ''}
    <dt>${t('checkout.total')}</dt><dd>${formatMoney(order.total, locale)}</dd>
  </dl>
  ${
    pending
      ? view.serverDown
        ? html`<p class="notice" role="status" data-testid="panel-unavailable">${t('checkout.order.panelUnavailableNote')}</p>`
        : html`<p class="muted" role="status">${t('checkout.order.pendingNote')}</p>`
      : ''
  }
</section>
<section class="card">
  <h2>${t('checkout.order.subscriptions')}</h2>
  <ul class="plain-list">
  ${subscriptions.map(
    (sub) => html`<li data-testid="order-subscription" data-subscription-id="${sub.id}">
      <a href="/subscriptions/${sub.id}">${view.planNames.get(sub.planId) ?? sub.planId}</a>
      ${sub.trial ? html`<span class="badge">${t('checkout.order.trial')}</span>` : ''}
      ${statusBadge(ctx, sub.status)}
      ${sub.status === 'failed' ? html`<p class="muted">${refundNote(ctx, view, sub)}</p>` : ''}
    </li>`,
  )}
  </ul>
  <p><a href="/dashboard">${t('checkout.order.toDashboard')}</a></p>
</section>
${view.shopLink !== null ? subscriptionLinkCard(ctx, view.shopLink) : ''}`,
  });
}
