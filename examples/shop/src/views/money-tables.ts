import type { LedgerEntry, Money } from '@panelkit/sdk';
import type { Payment } from '../app/payments/records.js';
import type { EntryDescription } from '../app/payments/ledger-descriptions.js';
import type { RequestContext } from '../http/context.js';
import { formatDateTime, formatMoney } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';
import { paymentNoteText } from '../app/payments/payment-notes.js';
import { hasMessage } from '../i18n/translate.js';
import { paymentStatusKey } from '../app/payments/registry.js';

/**
 * A ledger entry's note for staff: the engine's own note on a credited payment (`card payment pay_…`) in the reader's
 * words (the way paid and the payment's id), any other note (an admin's, typed in their language) as written.
 */
function ledgerNote(ctx: RequestContext, note: string): string {
  const engine = /^([a-z][a-z_]*) payment (\S+)$/.exec(note);
  const key = `wallet.providers.${engine?.[1]}`;
  return engine !== null && hasMessage(key) ? `${ctx.t(key)} · ${engine[2]}` : note;
}

/** Balances in every currency the customer has, or a zero in the shop's currency. */
export function balanceList(ctx: RequestContext, balances: Money[], currency: string): SafeHtml {
  const shown = balances.length === 0 ? [{ amount: 0, currency }] : balances;
  return html`${shown.map(
    (b) =>
      html`<p class="price" data-testid="balance" data-currency="${b.currency}" data-amount="${b.amount}">${formatMoney(b, ctx.locale)}</p>`,
  )}`;
}

/** A payment's status as a badge, worded for its reader (the buyer in their wallet, staff elsewhere). */
export function paymentBadge(ctx: RequestContext, payment: Payment, reader: 'buyer' | 'staff' = 'staff'): SafeHtml {
  return html`<span class="badge ${payment.status}" data-status="${payment.status}">${ctx.t(paymentStatusKey(payment, reader))}</span>`;
}

/** A signed ledger amount: credits with a plus, debits with the locale's minus. */
export function signedMoney(ctx: RequestContext, amount: number, currency: string): string {
  const text = formatMoney({ amount: Math.abs(amount), currency }, ctx.locale);
  return amount < 0 ? `−${text}` : `+${text}`;
}

/** A buyer's view of what an entry is about: the plan (linked) and a reference they recognise. */
function describedCell(ctx: RequestContext, d: EntryDescription | undefined): SafeHtml {
  if (d === undefined) return html``;
  const label = d.labelKey !== null ? ctx.t(d.labelKey) : d.label;
  return html`${label ? (d.href !== null ? html`<a href="${d.href}" data-testid="ledger-item">${label}</a>` : html`<span data-testid="ledger-item">${label}</span>`) : ''}${label && d.reference ? html`<br>` : ''}${d.reference ? html`<small class="ltr" data-testid="ledger-reference">${d.reference}</small>` : ''}`;
}

/** Ledger entries newest first, with "older"/"newest" links when there are more (`pageHref(cursor)`). */
export function ledgerTable(
  ctx: RequestContext,
  options: {
    entries: LedgerEntry[];
    timeZone: string;
    nextCursor: string | null;
    paged: boolean;
    pageHref: (cursor: string | null) => string;
    showNote?: boolean;
    descriptions?: ReadonlyMap<string, EntryDescription>;
  },
): SafeHtml {
  const { t, locale } = ctx;
  if (options.entries.length === 0) return html`<p class="muted">${t('wallet.ledger.empty')}</p>`;
  return html`<div class="table-wrap"><table data-testid="ledger">
<thead><tr><th>${t('wallet.ledger.date')}</th><th>${t('wallet.ledger.kind')}</th><th>${t('wallet.ledger.amount')}</th><th>${t('wallet.ledger.balanceAfter')}</th><th>${t(options.descriptions === undefined ? 'wallet.ledger.reference' : 'wallet.ledger.about')}</th></tr></thead>
<tbody>${options.entries.map(
    (e) => html`<tr data-testid="ledger-row" data-kind="${e.kind}">
  <td>${formatDateTime(e.createdAt, locale, options.timeZone)}</td>
  <td>${t(`wallet.kinds.${e.kind}`)}</td>
  <td class="ltr">${signedMoney(ctx, e.amount, e.currency)}</td>
  <td>${formatMoney({ amount: e.balanceAfter, currency: e.currency }, locale)}</td>
  <td>${options.descriptions === undefined ? html`<span class="ltr">${e.reference ?? ''}</span>` : describedCell(ctx, options.descriptions.get(e.id))}${options.showNote && e.note ? html`<br><small class="muted">${ledgerNote(ctx, e.note)}</small>` : ''}</td>
</tr>`,
  )}</tbody></table></div>
<p>${options.paged ? html`<a href="${options.pageHref(null)}">${t('wallet.ledger.newest')}</a> ` : ''}${options.nextCursor !== null ? html`<a href="${options.pageHref(options.nextCursor)}" rel="next">${t('wallet.ledger.older')}</a>` : ''}</p>`;
}

/**
 * Payments newest first with their status and any note from the admin who reviewed them; with
 * `buyerCancels`, the buyer's own pending payments have a Cancel button.
 */
export function paymentsTable(
  ctx: RequestContext,
  payments: Payment[],
  timeZone: string,
  options: { buyerCancels?: boolean } = {},
): SafeHtml {
  const { t, locale } = ctx;
  if (payments.length === 0) return html`<p class="muted">${t('wallet.payments.empty')}</p>`;
  const noteCell = (p: Payment) => {
    const note = paymentNoteText(p, t);
    return note ? html`<br><small data-testid="review-note">${t('wallet.payments.note')}: ${note}</small>` : '';
  };
  return html`<div class="table-wrap"><table data-testid="payments">
<thead><tr><th>${t('wallet.payments.date')}</th><th>${t('wallet.payments.provider')}</th><th>${t('wallet.payments.amount')}</th><th>${t('wallet.payments.reference')}</th><th>${t('wallet.payments.status')}</th><th>${t('wallet.invoice.column')}</th></tr></thead>
<tbody>${payments.map(
    (p) => html`<tr data-testid="payment-row" data-payment-id="${p.id}">
  <td>${formatDateTime(p.createdAt, locale, timeZone)}</td>
  <td>${t(`wallet.providers.${p.provider}`)}</td>
  <td>${formatMoney(p.amount, locale)}</td>
  <td class="ltr">${p.reference ?? ''}</td>
  <td>${paymentBadge(ctx, p, options.buyerCancels ? 'buyer' : 'staff')}${noteCell(p)}${
    options.buyerCancels && p.status === 'pending'
      ? html`<form method="post" action="/wallet/payments/${encodeURIComponent(p.id)}/cancel" data-testid="cancel-payment">${csrfField(ctx)}<button type="submit" class="small secondary">${t('wallet.payments.cancel')}</button></form>`
      : ''
  }</td>
  <td><a href="/wallet/payments/${p.id}/invoice" data-testid="invoice-link">${t('wallet.invoice.open')}</a></td>
</tr>`,
  )}</tbody></table></div>`;
}
