import { WITHDRAWAL_STATUSES, type WithdrawalStatus } from '@panelkit/sdk/storefronts';
import type { RequestContext } from '../../http/context.js';
import type { QueuedWithdrawal } from '../../app/storefronts/payout-queue.js';
import { formatMoney } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { when } from './widgets.js';

/** The actions a withdrawal in `status` offers the owner. */
function actions(ctx: RequestContext, q: QueuedWithdrawal): SafeHtml | string {
  const { t } = ctx;
  const { id, status } = q.withdrawal;
  const base = `/admin/payouts/${encodeURIComponent(id)}`;
  const refuse = html`<form method="post" action="${base}/refuse" class="inline" data-testid="refuse-form">${csrfField(ctx)}
    <label for="reason-${id}">${t('storefronts.admin.reason')}</label> <input id="reason-${id}" name="reason" maxlength="1000" required>
    <button type="submit" class="danger">${t('storefronts.admin.refuse')}</button></form>`;
  if (status === 'requested')
    return html`<form method="post" action="${base}/approve" class="inline" data-testid="approve-form">${csrfField(ctx)}<button type="submit">${t('storefronts.admin.approve')}</button></form> ${refuse}`;
  if (status === 'approved')
    return html`<form method="post" action="${base}/paid" class="inline" data-testid="paid-form">${csrfField(ctx)}
    <label for="reference-${id}">${t('storefronts.admin.reference')}</label> <input id="reference-${id}" name="reference" maxlength="200">
    <button type="submit">${t('storefronts.admin.markPaid')}</button></form> ${refuse}`;
  if (status === 'refused' && q.withdrawal.reason !== null) return t('storefronts.admin.reasonShown', { reason: q.withdrawal.reason });
  return '';
}

/** The owner's payout queue: withdrawals in one state (asked by default), each with what can be done next. */
export function payoutsPage(
  ctx: RequestContext,
  view: { items: QueuedWithdrawal[]; status: WithdrawalStatus | null; timeZone: string; notice: string | null },
): SafeHtml {
  const { t, locale } = ctx;
  const tab = (status: WithdrawalStatus | null, label: string) =>
    html`<a href="/admin/payouts${status === null ? '?status=all' : `?status=${status}`}" ${view.status === status ? html`aria-current="page"` : ''}>${label}</a>`;
  return adminPage(ctx, {
    title: t('storefronts.admin.payoutsTitle'),
    notice: view.notice,
    body: html`<h1>${t('storefronts.admin.payoutsTitle')}</h1>
<p><a href="/admin/storefronts">${t('storefronts.admin.back')}</a></p>
<p class="muted">${t('storefronts.admin.payoutsIntro')}</p>
<nav class="tabs" data-testid="payout-tabs">${WITHDRAWAL_STATUSES.map((s) => tab(s, t(`storefronts.withdrawalStatus.${s}`)))} ${tab(null, t('storefronts.admin.all'))}</nav>
${
  view.items.length === 0
    ? html`<p class="muted" data-testid="no-payouts">${t('storefronts.admin.noPayouts')}</p>`
    : html`<div class="table-wrap"><table data-testid="payouts">
<thead><tr><th>${t('storefronts.admin.partner')}</th><th>${t('storefronts.admin.amount')}</th><th>${t('storefronts.admin.destination')}</th><th>${t('storefronts.admin.asked')}</th><th>${t('storefronts.admin.state')}</th><th></th></tr></thead>
<tbody>${view.items.map(
        (q) => html`<tr data-withdrawal="${q.withdrawal.id}">
<td>${q.partnerEmail ?? q.withdrawal.partnerId}</td>
<td>${formatMoney(q.withdrawal.amount, locale)}</td>
<td>${q.withdrawal.destination}</td>
<td>${when(ctx, view.timeZone, q.withdrawal.requestedAt)}</td>
<td><span class="badge ${q.withdrawal.status}" data-status="${q.withdrawal.status}">${t(`storefronts.withdrawalStatus.${q.withdrawal.status}`)}</span></td>
<td>${actions(ctx, q)}</td>
</tr>`,
      )}</tbody></table></div>`
}`,
  });
}
