import type { BundleExtensionQuote } from '@panelkit/sdk/kinds';
import type { RequestContext } from '../http/context.js';
import { formatDateTime, formatMoney, formatNumber } from '../i18n/format.js';
import { kindName } from '../i18n/kind-text.js';
import { refusalText } from './extension-page.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** What the extension page shows for a bundle of kinds: every part's quote, their total, and one pay button. */
export interface BundleExtensionView {
  /** The part the buyer came from (the form posts to it; any part extends the whole bundle). */
  subscriptionId: string;
  planName: string;
  quote: BundleExtensionQuote;
  /** Wallet balance in the total's currency (minor units). */
  balance: number;
  changeInFlight: boolean;
  idempotencyKey: string;
  /** Set when a discount code was sent anyway: a bundle takes none. */
  codeRefused: string | null;
  /** Why the last payment was refused, translated; `topUp` adds the wallet link. */
  problem: { message: string; topUp: boolean } | null;
  timeZone: string;
}

function partsTable(ctx: RequestContext, quote: Extract<BundleExtensionQuote, { allowed: true }>, timeZone: string): SafeHtml {
  const { t, locale } = ctx;
  const rows = quote.parts.map(({ subscription: sub, quote: q }) =>
    q.allowed
      ? html`<tr data-testid="bundle-part" data-kind="${sub.kind}"><th scope="row">${kindName(sub.kind, t)}</th><td>${formatDateTime(q.quote.newExpiresAt, locale, timeZone)}</td><td>${formatMoney(q.quote.price, locale)}</td></tr>`
      : html``,
  );
  return html`<div class="table-wrap"><table data-testid="bundle-parts">
<thead><tr><th scope="col">${t('kinds.extension.part')}</th><th scope="col">${t('extension.expiry')}</th><th scope="col">${t('extension.price')}</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><th scope="row" colspan="2">${t('kinds.extension.total')}</th><td class="price" data-testid="bundle-total">${formatMoney(quote.total, locale)}</td></tr></tfoot>
</table></div>`;
}

function keepDevicesField(ctx: RequestContext, quote: Extract<BundleExtensionQuote, { allowed: true }>): SafeHtml | '' {
  const held = quote.parts.find((part) => part.quote.extraDevices !== null);
  const kept = held?.quote.extraDevices;
  if (held === undefined || kept === null || kept === undefined) return '';
  const { t, locale } = ctx;
  const limit = (held.subscription.deviceLimit ?? kept.devices) - kept.devices;
  return html`<label data-testid="keep-devices"><input type="checkbox" name="keepExtraDevices" value="on"> ${t('devicePacks.keep', { devices: formatNumber(kept.devices, locale), price: formatMoney(kept.price, locale) })}</label>
    <p class="muted">${t('devicePacks.keepNote', { limit: formatNumber(limit, locale) })}</p>`;
}

function quoteSection(ctx: RequestContext, view: BundleExtensionView): SafeHtml {
  const { t, locale } = ctx;
  const { quote } = view;
  if (!quote.allowed) {
    const { reason, details } = quote.refused;
    return html`<section class="card"><p class="error" data-testid="extension-refused" data-reason="${reason}">${refusalText(ctx, reason, details.opensAt, view.timeZone)}</p>
  <p><a href="/subscriptions/${view.subscriptionId}">${t('extension.back')}</a></p></section>`;
  }
  return html`<section class="card" data-testid="bundle-extension">
  <p data-testid="bundle-every-part">${t('kinds.extension.everyPart', { count: quote.parts.length })}</p>
  ${partsTable(ctx, quote, view.timeZone)}
  <dl class="facts"><dt>${t('extension.balance')}</dt><dd>${formatMoney({ amount: view.balance, currency: quote.total.currency }, locale)}</dd></dl>
  ${quote.linkChanges ? html`<p class="error" data-testid="link-changes">${t('kinds.extension.linkChanges')}</p>` : ''}
  ${view.codeRefused ? html`<p class="error" role="alert" data-testid="discount-refused">${view.codeRefused}</p>` : ''}
  ${view.problem ? html`<p class="error" role="alert" data-testid="extension-problem">${view.problem.message} ${view.problem.topUp ? html`<a class="button small secondary" href="/wallet">${t('extension.topUp')}</a>` : ''}</p>` : ''}
  ${
    view.changeInFlight
      ? html`<p class="notice" role="status" data-testid="change-in-flight">${t('extension.inFlight')}</p>`
      : html`<form method="post" action="/subscriptions/${view.subscriptionId}/extend" class="stack" data-testid="extension-form" novalidate>
    ${csrfField(ctx)}
    <input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
    ${keepDevicesField(ctx, quote)}
    <button type="submit">${t('extension.pay', { price: formatMoney(quote.total, locale) })}</button>
  </form>`
  }
</section>`;
}

/** The extension page of a bundle of kinds: no discount code field (a bundle takes none), the total and its parts. */
export function bundleExtensionPage(ctx: RequestContext, view: BundleExtensionView): SafeHtml {
  const { t } = ctx;
  return page(ctx, {
    title: t('kinds.extension.title'),
    body: html`<h1>${t('kinds.extension.title')}</h1>
<p class="muted"><a href="/subscriptions/${view.subscriptionId}">${view.planName}</a></p>
${quoteSection(ctx, view)}`,
  });
}
