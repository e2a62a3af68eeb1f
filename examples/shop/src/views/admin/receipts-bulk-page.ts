import type { PaymentWithEmail } from '../../app/payments/records.js';
import type { RequestContext } from '../../http/context.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { customerCell } from './receipts-page.js';

/** How a bulk approval went, receipt by receipt. */
export interface BulkOutcome {
  /** Approved and credited now. */
  approved: number;
  /** Approved; crediting failed and the settle sweep retries it. */
  notCredited: number;
  /** Someone (another admin, an earlier send of this form) decided them first: nothing done. */
  alreadyReviewed: number;
  missing: number;
}

/** Totals per currency of the chosen receipts, formatted. */
function totals(ctx: RequestContext, payments: PaymentWithEmail[]): string {
  const byCurrency = new Map<string, number>();
  for (const p of payments) byCurrency.set(p.amount.currency, (byCurrency.get(p.amount.currency) ?? 0) + p.amount.amount);
  return [...byCurrency].map(([currency, amount]) => formatMoney({ amount, currency }, ctx.locale)).join(' + ');
}

/** The one confirmation of a bulk approval: what will be credited, to whom; changes nothing until confirmed. */
export function bulkConfirmPage(ctx: RequestContext, view: { payments: PaymentWithEmail[]; timeZone: string }): SafeHtml {
  const { t, locale } = ctx;
  const { payments } = view;
  return adminPage(ctx, {
    title: t('receiptsQueue.bulk.title'),
    notice: null,
    body: html`<h1>${t('receiptsQueue.bulk.title')}</h1>
<p data-testid="bulk-summary">${t('receiptsQueue.bulk.summary', { count: payments.length, total: totals(ctx, payments) })}</p>
<div class="table-wrap"><table>
<thead><tr><th>${t('adminMoney.receipts.customer')}</th><th>${t('adminMoney.receipts.amount')}</th><th>${t('adminMoney.receipts.reference')}</th><th>${t('adminMoney.receipts.submittedAt')}</th></tr></thead>
<tbody>${payments.map((p) => html`<tr data-testid="bulk-row" data-payment-id="${p.id}"><td>${customerCell(p)}</td><td>${formatMoney(p.amount, locale)}</td><td class="ltr">${p.reference ?? ''}</td><td>${formatDateTime(p.createdAt, locale, view.timeZone)}</td></tr>`)}</tbody>
</table></div>
<form method="post" action="/admin/receipts/bulk-approve/confirm" class="stack" data-testid="bulk-confirm">${csrfField(ctx)}
  ${payments.map((p) => html`<input type="hidden" name="ids" value="${p.id}">`)}
  <label class="inline"><input type="checkbox" name="confirm" value="yes" required> ${t('receiptsQueue.bulk.confirmArrived')}</label>
  <button type="submit">${t('receiptsQueue.bulk.submit', { count: payments.length })}</button>
  <a href="/admin/receipts">${t('receiptsQueue.bulk.cancel')}</a>
</form>`,
  });
}

/** What a bulk approval did: so many credited, so many already decided by someone else. */
export function bulkResultPage(ctx: RequestContext, outcome: BulkOutcome): SafeHtml {
  const { t } = ctx;
  const line = (key: keyof BulkOutcome) =>
    outcome[key] === 0
      ? html``
      : html`<li data-testid="bulk-${key}">${t(`receiptsQueue.bulk.result.${key}`, { count: outcome[key] })}</li>`;
  return adminPage(ctx, {
    title: t('receiptsQueue.bulk.doneTitle'),
    notice: null,
    body: html`<h1>${t('receiptsQueue.bulk.doneTitle')}</h1>
<ul data-testid="bulk-result">${line('approved')}${line('notCredited')}${line('alreadyReviewed')}${line('missing')}</ul>
<p><a href="/admin/receipts">${t('receiptsQueue.bulk.back')}</a></p>`,
  });
}
