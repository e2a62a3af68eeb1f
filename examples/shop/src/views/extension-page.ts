import type { ExtensionQuoteResult, Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { formatDuration } from '../i18n/duration.js';
import { formatBytes, formatDateTime, formatMoney, formatNumber } from '../i18n/format.js';
import { formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { discountForm, discountLines } from './checkout-page.js';
import { expiryText } from './subscription-bits.js';

export interface ExtensionView {
  sub: Subscription;
  planName: string;
  quote: ExtensionQuoteResult;
  /** Wallet balance in the quote's currency (minor units). */
  balance: number;
  /** A reseller's credit limit (0 or absent: none): what it may spend beyond the balance. */
  creditLimit?: number;
  changeInFlight: boolean;
  idempotencyKey: string;
  errors?: FieldErrors;
  /** Why the last payment was refused, translated; `topUp` adds the wallet link. */
  problem?: { message: string; topUp: boolean } | null;
  timeZone: string;
  now: Date;
  /** The discount code as typed (empty for none); the quote's `discount` says what it does. */
  discountCode: string;
}

/** The buyer-facing reason a quote was refused, with when it opens for `too_early`. */
export function refusalText(ctx: RequestContext, reason: string, opensAt: Date | undefined, timeZone: string): string {
  return ctx.t(`extension.reasons.${reason}`, opensAt ? { opensAt: formatDateTime(opensAt, ctx.locale, timeZone) } : {});
}

function topUpLink(ctx: RequestContext): SafeHtml {
  return html`<a class="button small secondary" href="/wallet">${ctx.t('extension.topUp')}</a>`;
}

/** Why this action: within the window it says how much time is left (3 days or 30 read the same way). */
function basisText(ctx: RequestContext, view: ExtensionView): string {
  const { quote, sub } = view;
  if (!quote.allowed) return '';
  const basis = quote.quote.basis;
  if (basis === 'within_window' && sub.expiresAt !== null) {
    return ctx.t('extension.basisLeft.within_window', {
      left: formatDuration(Math.max(0, sub.expiresAt.getTime() - view.now.getTime()), ctx.t),
    });
  }
  return ctx.t(`extension.basis.${basis}`);
}

/** Now and after paying, side by side: expiry, traffic limit and used traffic. */
function beforeAfter(ctx: RequestContext, view: ExtensionView): SafeHtml {
  const { t, locale } = ctx;
  const { sub, quote } = view;
  if (!quote.allowed) return html``;
  const q = quote.quote;
  const limit = (bytes: number | null) => (bytes === null ? t('plans.unlimitedTraffic') : formatBytes(bytes, locale));
  return html`<div class="table-wrap"><table class="before-after" data-testid="before-after">
<thead><tr><th></th><th scope="col">${t('extension.now')}</th><th scope="col">${t('extension.afterPaying')}</th></tr></thead>
<tbody>
  <tr><th scope="row">${t('extension.expiry')}</th><td data-testid="current-expires-at">${expiryText(ctx, sub, view.timeZone)}</td><td data-testid="new-expires-at">${formatDateTime(q.newExpiresAt, locale, view.timeZone)}</td></tr>
  <tr><th scope="row">${t('extension.trafficLimit')}</th><td>${limit(sub.trafficLimitBytes)}</td><td>${limit(q.newTrafficLimitBytes)}</td></tr>
  <tr><th scope="row">${t('extension.usage')}</th><td>${sub.usedBytes === null ? t('subscription.usage.notMeasured') : formatBytes(sub.usedBytes, locale)}</td><td>${t('extension.usageResets')}</td></tr>
</tbody></table></div>`;
}

function quoteSection(ctx: RequestContext, view: ExtensionView): SafeHtml {
  const { t, locale } = ctx;
  const { quote } = view;
  if (!quote.allowed) {
    return html`<section class="card"><p class="error" data-testid="extension-refused" data-reason="${quote.reason}">${refusalText(ctx, quote.reason, quote.details.opensAt, view.timeZone)}</p>
  <p><a href="/subscriptions/${view.sub.id}">${t('extension.back')}</a></p></section>`;
  }
  const q = quote.quote;
  const applied = quote.discount?.allowed ? quote.discount.quote : null;
  const toPay = applied?.price ?? q.price;
  const short = view.balance + (view.creditLimit ?? 0) < toPay.amount;
  return html`<section class="card" data-testid="extension-quote" data-action="${q.action}">
  <h2>${t(`extension.actions.${q.action}`)}</h2>
  <p data-testid="extension-basis">${basisText(ctx, view)}</p>
  ${beforeAfter(ctx, view)}
  <dl class="facts">
    ${q.carriedOverBytes > 0 ? html`<dt>${t('extension.carriedOver')}</dt><dd>${formatBytes(q.carriedOverBytes, locale)}</dd>` : ''}
    ${q.forfeitedMs > 0 ? html`<dt>${t('extension.forfeited')}</dt><dd data-testid="forfeited">${formatDuration(q.forfeitedMs, t)}</dd>` : ''}
    <dt>${t('extension.price')}</dt><dd class="price" data-testid="extension-price">${formatMoney(q.price, locale)}</dd>
    <dt>${t('extension.balance')}</dt><dd>${formatMoney({ amount: view.balance, currency: q.price.currency }, locale)}</dd>
  </dl>
  ${applied ? discountLines(ctx, applied) : ''}
  ${q.usageUnknown ? html`<p class="muted">${t('extension.usageUnknown')}</p>` : ''}
  ${quote.linkChanges ? html`<p class="error" data-testid="link-changes">${t('extension.linkChanges')}</p>` : ''}
  ${view.problem ? html`<p class="error" role="alert" data-testid="extension-problem">${view.problem.message} ${view.problem.topUp ? topUpLink(ctx) : ''}</p>` : ''}
  ${
    view.changeInFlight
      ? html`<p class="notice" role="status" data-testid="change-in-flight">${t('extension.inFlight')}</p>`
      : html`${short && !view.problem ? html`<p class="error" data-testid="balance-short">${t('extension.balanceShort')} ${topUpLink(ctx)}</p>` : ''}
  ${discountForm(ctx, `/subscriptions/${view.sub.id}/extend`, { idempotencyKey: view.idempotencyKey, discountCode: view.discountCode }, view.errors)}
  <form method="post" action="/subscriptions/${view.sub.id}/extend" class="stack" data-testid="extension-form" novalidate>
    ${csrfField(ctx)}${formError(view.errors)}
    <input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
    <input type="hidden" name="discountCode" value="${applied?.code ?? ''}">
    ${keepDevicesField(ctx, view)}
    <button type="submit">${t('extension.pay', { price: formatMoney(toPay, locale) })}</button>
  </form>`
  }
</section>`;
}

/** A device pack's extra devices: a box to keep them for the new period at their price, else they fall back. */
function keepDevicesField(ctx: RequestContext, view: ExtensionView): SafeHtml | '' {
  const kept = view.quote.extraDevices;
  if (kept === null) return '';
  const { t, locale } = ctx;
  const limit = (view.sub.deviceLimit ?? kept.devices) - kept.devices;
  return html`<label data-testid="keep-devices"><input type="checkbox" name="keepExtraDevices" value="on"> ${t('devicePacks.keep', { devices: formatNumber(kept.devices, locale), price: formatMoney(kept.price, locale) })}</label>
    <p class="muted">${t('devicePacks.keepNote', { limit: formatNumber(limit, locale) })}</p>`;
}

export function extensionPage(ctx: RequestContext, view: ExtensionView): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('extension.title'),
    body: html`<h1>${t('extension.title')}</h1>
<p class="muted"><a href="/subscriptions/${view.sub.id}">${view.planName}</a></p>
${quoteSection(ctx, view)}`,
  });
}
