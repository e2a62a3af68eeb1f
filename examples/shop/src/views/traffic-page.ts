import type { Subscription, TrafficTopUp, TrafficTopUpQuoteResult } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatBytes, formatMoney, formatNumber } from '../i18n/format.js';
import { codeRefusedWithoutField, discountLines, offersDiscountCode } from './checkout-page.js';
import { field } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

export interface TrafficView {
  sub: Subscription;
  planName: string;
  /** The plan's offer, or `null` when it sells no extra traffic. */
  offer: TrafficTopUp | null;
  /** GiB asked for and its quote; `null` before the buyer asked for one. */
  asked: { gib: number; decision: TrafficTopUpQuoteResult } | null;
  /** Wallet balance in the offer's currency (minor units). */
  balance: number;
  /** A reseller's credit limit (0 or absent: none): what it may spend beyond the balance. */
  creditLimit?: number;
  changeInFlight: boolean;
  idempotencyKey: string;
  /** Why the last purchase was refused, translated. */
  problem?: string | null;
  /** The discount code as typed (empty for none); the quote's `discount` says what it does. */
  discountCode: string;
  /** Why the code is refused, translated; shown on the code's field. */
  codeError?: string | null;
}

function askForm(ctx: RequestContext, view: TrafficView, offer: TrafficTopUp): SafeHtml {
  const { t, locale } = ctx;
  return html`<form method="get" action="/subscriptions/${view.sub.id}/traffic" class="stack" data-testid="traffic-ask">
  <p>${t('traffic.offer', { price: formatMoney(offer.pricePerGiB, locale), max: formatNumber(offer.maxGiBPerPurchase, locale) })}</p>
  <label>${t('traffic.gib')} <input type="number" name="gib" min="1" max="${offer.maxGiBPerPurchase}" step="1" required value="${view.asked?.gib ?? ''}"></label>
  ${offersDiscountCode(ctx) ? field({ name: 'discountCode', label: t('discounts.code.label'), value: view.discountCode, errors: view.codeError ? { discountCode: view.codeError } : undefined, hint: t('discounts.code.hint'), attrs: html`autocomplete="off" maxlength="60" data-testid="discount-code"` }) : codeRefusedWithoutField(view.codeError)}
  <button type="submit" class="secondary">${t('traffic.quote')}</button>
</form>`;
}

function quoteSection(ctx: RequestContext, view: TrafficView): SafeHtml {
  const { t, locale } = ctx;
  if (view.asked === null) return html``;
  const { decision, gib } = view.asked;
  if (!decision.allowed)
    return html`<p class="error" data-testid="traffic-refused" data-reason="${decision.reason}">${t(`traffic.reasons.${decision.reason}`)}</p>`;
  const q = decision.quote;
  const applied = decision.discount?.allowed ? decision.discount.quote : null;
  const toPay = applied?.price ?? q.price;
  return html`<section class="card" data-testid="traffic-quote">
  <dl class="facts">
    <dt>${t('traffic.adds')}</dt><dd>${formatBytes(q.bytes, locale)}</dd>
    <dt>${t('traffic.newLimit')}</dt><dd data-testid="traffic-new-limit">${formatBytes(q.newTrafficLimitBytes, locale)}</dd>
    <dt>${t('traffic.price')}</dt><dd class="price" data-testid="traffic-price">${formatMoney(q.price, locale)}</dd>
    <dt>${t('traffic.balance')}</dt><dd>${formatMoney({ amount: view.balance, currency: q.price.currency }, locale)}</dd>
  </dl>
  ${applied ? discountLines(ctx, applied) : ''}
  ${q.reactivates ? html`<p class="notice">${t('traffic.reactivates')}</p>` : ''}
  ${view.balance + (view.creditLimit ?? 0) < toPay.amount ? html`<p class="error" data-testid="balance-short">${t('traffic.balanceShort')} <a class="button small secondary" href="/wallet">${t('traffic.topUp')}</a></p>` : ''}
  <form method="post" action="/subscriptions/${view.sub.id}/traffic" class="stack" data-testid="traffic-form">
    ${csrfField(ctx)}
    <input type="hidden" name="gib" value="${gib}">
    <input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
    ${applied ? html`<input type="hidden" name="discountCode" value="${applied.code}">` : ''}
    <button type="submit">${t('traffic.pay', { price: formatMoney(toPay, locale) })}</button>
  </form>
</section>`;
}

/** Buying extra traffic: the plan's offer, a quote for the GiB asked for, then the payment form. */
export function trafficPage(ctx: RequestContext, view: TrafficView): SafeHtml {
  const { t } = ctx;
  const body =
    view.offer === null
      ? html`<p class="error" data-testid="traffic-refused" data-reason="not_offered">${t('traffic.reasons.not_offered')}</p>`
      : view.changeInFlight
        ? html`<p class="notice" role="status" data-testid="change-in-flight">${t('traffic.inFlight')}</p>`
        : html`${askForm(ctx, view, view.offer)}${quoteSection(ctx, view)}`;
  return page(ctx, {
    title: t('traffic.title'),
    body: html`<h1>${t('traffic.title')}</h1>
<p class="muted"><a href="/subscriptions/${view.sub.id}">${view.planName}</a></p>
${view.problem ? html`<p class="error" role="alert" data-testid="traffic-problem">${view.problem}</p>` : ''}
${body}`,
  });
}
