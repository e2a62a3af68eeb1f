import type { ExtensionQuoteResult, Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../http/forms.js';
import { formatDuration } from '../i18n/duration.js';
import { formatBytes, formatDateTime, formatMoney } from '../i18n/format.js';
import { formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

export interface ExtensionView {
  sub: Subscription;
  planName: string;
  quote: ExtensionQuoteResult;
  /** Wallet balance in the quote's currency (minor units). */
  balance: number;
  changeInFlight: boolean;
  idempotencyKey: string;
  errors?: FieldErrors;
  /** Why the last payment was refused, translated; `topUp` adds the wallet link. */
  problem?: { message: string; topUp: boolean } | null;
  timeZone: string;
}

/** The buyer-facing reason a quote was refused, with when it opens for `too_early`. */
export function refusalText(ctx: RequestContext, reason: string, opensAt: Date | undefined, timeZone: string): string {
  return ctx.t(`extension.reasons.${reason}`, opensAt ? { opensAt: formatDateTime(opensAt, ctx.locale, timeZone) } : {});
}

function topUpLink(ctx: RequestContext): SafeHtml {
  return html`<a class="button small secondary" href="/wallet">${ctx.t('extension.topUp')}</a>`;
}

function quoteSection(ctx: RequestContext, view: ExtensionView): SafeHtml {
  const { t, locale } = ctx;
  const { quote } = view;
  if (!quote.allowed) {
    return html`<section class="card"><p class="error" data-testid="extension-refused" data-reason="${quote.reason}">${refusalText(ctx, quote.reason, quote.details.opensAt, view.timeZone)}</p>
  <p><a href="/subscriptions/${view.sub.id}">${t('extension.back')}</a></p></section>`;
  }
  const q = quote.quote;
  const short = view.balance < q.price.amount;
  return html`<section class="card" data-testid="extension-quote" data-action="${q.action}">
  <h2>${t(`extension.actions.${q.action}`)}</h2>
  <p>${t(`extension.basis.${q.basis}`)}</p>
  <dl class="facts">
    <dt>${t('extension.newExpiry')}</dt><dd data-testid="new-expires-at">${formatDateTime(q.newExpiresAt, locale, view.timeZone)}</dd>
    <dt>${t('extension.newLimit')}</dt><dd>${q.newTrafficLimitBytes === null ? t('plans.unlimitedTraffic') : formatBytes(q.newTrafficLimitBytes, locale)}</dd>
    <dt>${t('extension.usage')}</dt><dd>${t('extension.usageResets')}</dd>
    ${q.carriedOverBytes > 0 ? html`<dt>${t('extension.carriedOver')}</dt><dd>${formatBytes(q.carriedOverBytes, locale)}</dd>` : ''}
    ${q.forfeitedMs > 0 ? html`<dt>${t('extension.forfeited')}</dt><dd data-testid="forfeited">${formatDuration(q.forfeitedMs, t, locale)}</dd>` : ''}
    <dt>${t('extension.price')}</dt><dd class="price" data-testid="extension-price">${formatMoney(q.price, locale)}</dd>
    <dt>${t('extension.balance')}</dt><dd>${formatMoney({ amount: view.balance, currency: q.price.currency }, locale)}</dd>
  </dl>
  ${q.usageUnknown ? html`<p class="muted">${t('extension.usageUnknown')}</p>` : ''}
  ${quote.linkChanges ? html`<p class="error" data-testid="link-changes">${t('extension.linkChanges')}</p>` : ''}
  ${view.problem ? html`<p class="error" role="alert" data-testid="extension-problem">${view.problem.message} ${view.problem.topUp ? topUpLink(ctx) : ''}</p>` : ''}
  ${view.changeInFlight
    ? html`<p class="notice" role="status" data-testid="change-in-flight">${t('extension.inFlight')}</p>`
    : html`${short && !view.problem ? html`<p class="error" data-testid="balance-short">${t('extension.balanceShort')} ${topUpLink(ctx)}</p>` : ''}
  <form method="post" action="/subscriptions/${view.sub.id}/extend" class="stack" data-testid="extension-form" novalidate>
    ${csrfField(ctx)}${formError(view.errors)}
    <input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
    <button type="submit">${t('extension.pay', { price: formatMoney(q.price, locale) })}</button>
  </form>`}
</section>`;
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
