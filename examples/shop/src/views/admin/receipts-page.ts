import type { PaymentWithEmail } from '../../app/payments/records.js';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import type { ReceiptQuery } from '../../app/payments/receipt-filters.js';
import { adminPage } from '../admin-layout.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { paymentBadge } from '../money-tables.js';
import { receiptFiltersForm } from './receipts-filters.js';
import { gatewayRefundForm, starsRefundForm } from './payment-rails-page.js';
import { STARS_PROVIDER } from '@panelkit/payment-providers/stars';

export interface ReceiptsView {
  /** The payments the search and filters match (pending ones by default). */
  found: PaymentWithEmail[];
  reviewed: PaymentWithEmail[];
  query: ReceiptQuery;
  /** The query as sent, to show back in the filter form when it was refused. */
  raw: Record<string, unknown>;
  queryErrors: FieldErrors;
  timeZone: string;
  notice: string | null;
  /** Receipts whose buyer sent a picture in Telegram (the row links to it). */
  withImages?: ReadonlySet<string>;
  /** A review form sent back with a problem: its receipt, the note typed and the messages. */
  failed?: { paymentId: string; note: string; errors: FieldErrors };
  /** Providers that give money back at the gateway (YooKassa): a credited payment of theirs has a refund button. */
  refundable?: readonly string[];
  /** Providers whose payments the gateway confirms: an admin may only mark them paid, explicitly. */
  markPaidOnly?: readonly string[];
  /** Providers whose payments only their gateway confirms (Telegram Stars): no admin decision is offered. */
  gatewayOnly?: readonly string[];
}

/** The customer's email linking to their page (the id only when the account is gone). */
export function customerCell(p: PaymentWithEmail): SafeHtml {
  return html`<a href="/admin/customers/${encodeURIComponent(p.customerId)}">${p.email ?? p.customerId}</a>`;
}

function approveForm(ctx: RequestContext, p: PaymentWithEmail, failed: ReceiptsView['failed']): SafeHtml {
  const { t } = ctx;
  const error = failed?.errors['confirm'];
  return html`<form method="post" action="/admin/receipts/${encodeURIComponent(p.id)}/approve" data-testid="approve-receipt">${csrfField(ctx)}
  <label class="inline"><input type="checkbox" name="confirm" value="yes" required ${error ? html`aria-invalid="true" aria-describedby="confirm-${p.id}-error"` : ''}> ${t('receiptsQueue.confirmArrived')}</label>
  ${error ? html`<p class="field-error" id="confirm-${p.id}-error">${error}</p>` : ''}
  <button type="submit" class="small">${t('adminMoney.receipts.approve')}</button></form>`;
}

function markPaidForm(ctx: RequestContext, p: PaymentWithEmail, failed: ReceiptsView['failed']): SafeHtml {
  const { t } = ctx;
  const error = failed?.errors['confirm'];
  return html`<form method="post" action="/admin/receipts/${encodeURIComponent(p.id)}/mark-paid" data-testid="mark-paid">${csrfField(ctx)}
  <label class="inline"><input type="checkbox" name="confirm" value="yes" required ${error ? html`aria-invalid="true" aria-describedby="confirm-${p.id}-error"` : ''}> ${t('adminMoney.receipts.markPaidConfirm')}</label>
  ${error ? html`<p class="field-error" id="confirm-${p.id}-error">${error}</p>` : ''}
  <button type="submit" class="small">${t('adminMoney.receipts.markPaid')}</button></form>`;
}

function pendingRow(ctx: RequestContext, p: PaymentWithEmail, view: ReceiptsView): SafeHtml {
  const { t, locale } = ctx;
  const failed = view.failed?.paymentId === p.id ? view.failed : undefined;
  const noteError = failed?.errors['note'];
  const paidAt = p.details.paidAt === undefined ? null : new Date(p.details.paidAt);
  return html`<tr data-testid="receipt-row" data-payment-id="${p.id}">
  <td><input type="checkbox" name="ids" value="${p.id}" form="bulk-approve" aria-label="${t('receiptsQueue.select', { reference: p.reference ?? p.id })}" data-testid="select-receipt"></td>
  <td>${customerCell(p)}</td>
  <td>${formatMoney(p.amount, locale)}</td>
  <td class="ltr" data-testid="receipt-reference">${p.reference ?? ''}${
    view.withImages?.has(p.id) === true
      ? html` <a href="/admin/receipts/${encodeURIComponent(p.id)}/image" target="_blank" rel="noopener" data-testid="receipt-image">${t('receiptsQueue.image')}</a>`
      : ''
  }</td>
  <td class="ltr">${p.details.cardLast4 ?? ''}</td>
  <td>${paidAt === null ? '' : formatDateTime(paidAt, locale, view.timeZone)}</td>
  <td>${formatDateTime(p.createdAt, locale, view.timeZone)}</td>
  <td>
    ${
      view.gatewayOnly?.includes(p.provider)
        ? html`<small class="muted">${t('payRails.gateway.onlyGateway')}</small>`
        : view.markPaidOnly?.includes(p.provider)
          ? markPaidForm(ctx, p, failed)
          : html`${approveForm(ctx, p, failed)}
    <details ${noteError ? html`open` : ''}><summary>${t('adminMoney.receipts.reject')}</summary>
    <form method="post" action="/admin/receipts/${encodeURIComponent(p.id)}/reject" class="stack" data-testid="reject-receipt">${csrfField(ctx)}
      <label for="note-${p.id}">${t('adminMoney.receipts.rejectNote')}
        <textarea id="note-${p.id}" name="note" rows="2" maxlength="500" required ${noteError ? html`aria-invalid="true" aria-describedby="note-${p.id}-error"` : ''}>${failed?.note ?? ''}</textarea>
        ${noteError ? html`<p class="field-error" id="note-${p.id}-error">${noteError}</p>` : ''}
      </label>
      <button type="submit" class="danger small">${t('adminMoney.receipts.reject')}</button>
    </form></details>`
    }
  </td>
</tr>`;
}

function decidedRow(ctx: RequestContext, p: PaymentWithEmail, view: ReceiptsView, testid: string): SafeHtml {
  const { locale } = ctx;
  return html`<tr data-testid="${testid}" data-payment-id="${p.id}">
  <td>${customerCell(p)}</td>
  <td>${formatMoney(p.amount, locale)}</td>
  <td class="ltr">${p.reference ?? ''}</td>
  <td>${paymentBadge(ctx, p)}${p.provider === STARS_PROVIDER && p.status === 'approved' ? starsRefundForm(ctx, p.id) : ''}${
    p.status === 'approved' && (view.refundable ?? []).includes(p.provider) ? gatewayRefundForm(ctx, p.id, p.amount.currency) : ''
  }</td>
  <td>${formatDateTime(p.createdAt, locale, view.timeZone)}</td>
  <td>${p.reviewedAt === null ? '' : formatDateTime(p.reviewedAt, locale, view.timeZone)}</td>
  <td>${p.reviewNote ?? ''}</td>
</tr>`;
}

function decidedTable(ctx: RequestContext, rows: PaymentWithEmail[], view: ReceiptsView, testid: string): SafeHtml {
  const { t } = ctx;
  return html`<div class="table-wrap"><table>
<thead><tr><th>${t('adminMoney.receipts.customer')}</th><th>${t('adminMoney.receipts.amount')}</th><th>${t('adminMoney.receipts.reference')}</th><th>${t('adminMoney.receipts.status')}</th><th>${t('adminMoney.receipts.submittedAt')}</th><th>${t('adminMoney.receipts.reviewedAt')}</th><th>${t('adminMoney.receipts.note')}</th></tr></thead>
<tbody>${rows.map((p) => decidedRow(ctx, p, view, testid))}</tbody></table></div>`;
}

function foundSection(ctx: RequestContext, view: ReceiptsView): SafeHtml {
  const { t } = ctx;
  const pending = view.found.filter((p) => p.status === 'pending');
  const decided = view.found.filter((p) => p.status !== 'pending');
  if (view.found.length === 0)
    return html`<p class="muted" data-testid="receipts-empty">${t(view.query.status === 'pending' ? 'adminMoney.receipts.empty' : 'receiptsQueue.noMatch')}</p>`;
  return html`${
    pending.length === 0
      ? ''
      : html`<form method="post" action="/admin/receipts/bulk-approve" id="bulk-approve" data-testid="bulk-approve">${csrfField(ctx)}
  <button type="submit" class="small">${t('receiptsQueue.bulkApprove')}</button> <small class="muted">${t('receiptsQueue.bulkHint')}</small></form>
<div class="table-wrap"><table>
<thead><tr><th>${t('receiptsQueue.selectColumn')}</th><th>${t('adminMoney.receipts.customer')}</th><th>${t('adminMoney.receipts.amount')}</th><th>${t('adminMoney.receipts.reference')}</th><th>${t('adminMoney.receipts.cardLast4')}</th><th>${t('adminMoney.receipts.paidAt')}</th><th>${t('adminMoney.receipts.submittedAt')}</th><th>${t('adminMoney.receipts.actions')}</th></tr></thead>
<tbody>${pending.map((p) => pendingRow(ctx, p, view))}</tbody></table></div>`
  }
${decided.length === 0 ? '' : decidedTable(ctx, decided, view, 'found-row')}`;
}

/** The receipts queue: the filter form, the matching receipts (pending ones with their decisions), and recent decisions. */
export function receiptsPage(ctx: RequestContext, view: ReceiptsView): SafeHtml {
  const { t } = ctx;
  return adminPage(ctx, {
    title: t('adminMoney.receipts.title'),
    notice: view.notice,
    body: html`<h1>${t('adminMoney.receipts.title')}</h1>
${receiptFiltersForm(ctx, view)}
<h2>${view.query.status === 'pending' ? t('adminMoney.receipts.pending') : t('receiptsQueue.matching')}</h2>
${foundSection(ctx, view)}
<h2>${t('adminMoney.receipts.reviewed')}</h2>
${view.reviewed.length === 0 ? html`<p class="muted">${t('adminMoney.receipts.reviewedEmpty')}</p>` : decidedTable(ctx, view.reviewed, view, 'reviewed-row')}`,
  });
}
