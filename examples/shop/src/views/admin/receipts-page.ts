import type { PaymentWithEmail } from '../../db/payments.js';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../http/forms.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { paymentBadge } from '../money-tables.js';

export interface ReceiptsView {
  pending: PaymentWithEmail[];
  reviewed: PaymentWithEmail[];
  timeZone: string;
  notice: string | null;
  /** A reject form sent back with a problem: its receipt, the note typed and the messages. */
  failed?: { paymentId: string; note: string; errors: FieldErrors };
}

function customerCell(p: PaymentWithEmail): SafeHtml {
  return html`<a href="/admin/customers/${encodeURIComponent(p.customerId)}">${p.email ?? p.customerId}</a>`;
}

function pendingRow(ctx: RequestContext, p: PaymentWithEmail, view: ReceiptsView): SafeHtml {
  const { t, locale } = ctx;
  const failed = view.failed?.paymentId === p.id ? view.failed : undefined;
  const noteError = failed?.errors['note'];
  const paidAt = p.details.paidAt === undefined ? null : new Date(p.details.paidAt);
  return html`<tr data-testid="receipt-row" data-payment-id="${p.id}">
  <td>${customerCell(p)}</td>
  <td>${formatMoney(p.amount, locale)}</td>
  <td class="ltr" data-testid="receipt-reference">${p.reference ?? ''}</td>
  <td class="ltr">${p.details.cardLast4 ?? ''}</td>
  <td>${paidAt === null ? '' : formatDateTime(paidAt, locale, view.timeZone)}</td>
  <td>${formatDateTime(p.createdAt, locale, view.timeZone)}</td>
  <td>
    <form method="post" action="/admin/receipts/${encodeURIComponent(p.id)}/approve" data-testid="approve-receipt">${csrfField(ctx)}<button type="submit" class="small">${t('adminMoney.receipts.approve')}</button></form>
    <details ${failed ? html`open` : ''}><summary>${t('adminMoney.receipts.reject')}</summary>
    <form method="post" action="/admin/receipts/${encodeURIComponent(p.id)}/reject" class="stack" data-testid="reject-receipt">${csrfField(ctx)}
      <label for="note-${p.id}">${t('adminMoney.receipts.rejectNote')}
        <textarea id="note-${p.id}" name="note" rows="2" maxlength="500" ${noteError ? html`aria-invalid="true" aria-describedby="note-${p.id}-error"` : ''}>${failed?.note ?? ''}</textarea>
        ${noteError ? html`<p class="field-error" id="note-${p.id}-error">${noteError}</p>` : ''}
      </label>
      <button type="submit" class="danger small">${t('adminMoney.receipts.reject')}</button>
    </form></details>
  </td>
</tr>`;
}

function reviewedRow(ctx: RequestContext, p: PaymentWithEmail, view: ReceiptsView): SafeHtml {
  const { locale } = ctx;
  return html`<tr data-testid="reviewed-row" data-payment-id="${p.id}">
  <td>${customerCell(p)}</td>
  <td>${formatMoney(p.amount, locale)}</td>
  <td class="ltr">${p.reference ?? ''}</td>
  <td>${paymentBadge(ctx, p)}</td>
  <td>${p.reviewedAt === null ? '' : formatDateTime(p.reviewedAt, locale, view.timeZone)}</td>
  <td>${p.reviewNote ?? ''}</td>
</tr>`;
}

export function receiptsPage(ctx: RequestContext, view: ReceiptsView): SafeHtml {
  const { t } = ctx;
  return adminPage(ctx, {
    title: t('adminMoney.receipts.title'),
    notice: view.notice,
    body: html`<h1>${t('adminMoney.receipts.title')}</h1>
<h2>${t('adminMoney.receipts.pending')}</h2>
${view.pending.length === 0
  ? html`<p class="muted">${t('adminMoney.receipts.empty')}</p>`
  : html`<div class="table-wrap"><table>
<thead><tr><th>${t('adminMoney.receipts.customer')}</th><th>${t('adminMoney.receipts.amount')}</th><th>${t('adminMoney.receipts.reference')}</th><th>${t('adminMoney.receipts.cardLast4')}</th><th>${t('adminMoney.receipts.paidAt')}</th><th>${t('adminMoney.receipts.submittedAt')}</th><th>${t('adminMoney.receipts.actions')}</th></tr></thead>
<tbody>${view.pending.map((p) => pendingRow(ctx, p, view))}</tbody></table></div>`}
<h2>${t('adminMoney.receipts.reviewed')}</h2>
${view.reviewed.length === 0
  ? html`<p class="muted">${t('adminMoney.receipts.reviewedEmpty')}</p>`
  : html`<div class="table-wrap"><table>
<thead><tr><th>${t('adminMoney.receipts.customer')}</th><th>${t('adminMoney.receipts.amount')}</th><th>${t('adminMoney.receipts.reference')}</th><th>${t('adminMoney.receipts.status')}</th><th>${t('adminMoney.receipts.reviewedAt')}</th><th>${t('adminMoney.receipts.note')}</th></tr></thead>
<tbody>${view.reviewed.map((p) => reviewedRow(ctx, p, view))}</tbody></table></div>`}`,
  });
}
