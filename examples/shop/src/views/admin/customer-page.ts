import type { SavedPaymentMethodView } from '@panelkit/sdk';
import { savedMethodsList } from '../saved-methods.js';
import type { Customer, LedgerEntry, Money, Subscription } from '@panelkit/sdk';
import type { Payment } from '../../app/payments/records.js';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatDateTime } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { balanceList, ledgerTable, paymentsTable } from '../money-tables.js';
import { issueResetForm } from '../credentials-pages.js';
import type { SubscriptionDevices } from '../../app/devices/subscription-devices.js';
import { customerDevicesSection } from './customer-devices.js';

export interface AdjustFormState {
  nonce: string;
  values: Record<string, string>;
  errors?: FieldErrors;
}

export interface CustomerView {
  customer: Customer;
  email: string | null;
  balances: Money[];
  currency: string;
  timeZone: string;
  ledger: { entries: LedgerEntry[]; nextCursor: string | null; paged: boolean };
  payments: Payment[];
  /** The payment methods the customer saved (labels only). */
  savedMethods?: readonly SavedPaymentMethodView[];
  subscriptions: Subscription[];
  planNames: ReadonlyMap<string, string>;
  adjust: AdjustFormState;
  notice: string | null;
  /** Whether the viewer may open the reseller terms (the owner's page). */
  resellerLink?: boolean;
  /** Whether the viewer may issue this account a password-reset link (support staff: buyers' accounts only). Default true. */
  canIssueReset?: boolean;
  /** Each subscription's devices ("devices of a buyer"), with a reset; absent hides the section. */
  devices?: readonly SubscriptionDevices[];
}

function subscriptionsTable(ctx: RequestContext, view: CustomerView): SafeHtml {
  const { t, locale } = ctx;
  if (view.subscriptions.length === 0) return html`<p class="muted">${t('adminMoney.customer.noSubscriptions')}</p>`;
  return html`<div class="table-wrap"><table data-testid="subscriptions">
<thead><tr><th>${t('adminMoney.customer.plan')}</th><th>${t('adminMoney.customer.status')}</th><th>${t('adminMoney.customer.expires')}</th><th></th></tr></thead>
<tbody>${view.subscriptions.map(
    (s) => html`<tr data-testid="subscription-row">
  <td>${view.planNames.get(s.planId) ?? s.planId}</td>
  <td><span class="badge ${s.status}" data-status="${s.status}">${t(`adminMoney.subscriptionStatus.${s.status}`)}</span></td>
  <td>${s.expiresAt === null ? t('adminMoney.customer.noExpiry') : formatDateTime(s.expiresAt, locale, view.timeZone)}</td>
  <td><a href="/admin/subscriptions/${encodeURIComponent(s.id)}">${t('adminMoney.customer.open')}</a></td>
</tr>`,
  )}</tbody></table></div>`;
}

function adjustForm(ctx: RequestContext, view: CustomerView): SafeHtml {
  const { t } = ctx;
  const { values, errors, nonce } = view.adjust;
  const direction = values['direction'] === 'debit' ? 'debit' : 'credit';
  const directionError = errors?.['direction'];
  return html`<form method="post" action="/admin/customers/${encodeURIComponent(view.customer.id)}/adjust" class="stack" data-testid="adjust-balance" novalidate>
  ${csrfField(ctx)}<input type="hidden" name="nonce" value="${nonce}">
  ${formError(errors)}${errors?.['nonce'] ? html`<p class="error" role="alert">${errors['nonce']}</p>` : ''}
  <fieldset><legend>${t('adminMoney.adjust.direction')}</legend>
    <label class="check"><input type="radio" name="direction" value="credit" ${direction === 'credit' ? html`checked` : ''}> ${t('adminMoney.adjust.credit')}</label>
    <label class="check"><input type="radio" name="direction" value="debit" ${direction === 'debit' ? html`checked` : ''}> ${t('adminMoney.adjust.debit')}</label>
    ${directionError ? html`<p class="field-error">${directionError}</p>` : ''}
  </fieldset>
  ${field({ name: 'amount', label: t('adminMoney.adjust.amount', { currency: view.currency }), value: values['amount'], errors, required: true, attrs: html`inputmode="decimal" autocomplete="off"` })}
  ${field({ name: 'note', label: t('adminMoney.adjust.note'), value: values['note'], errors, required: true, attrs: html`maxlength="500" autocomplete="off"` })}
  <button type="submit">${t('adminMoney.adjust.submit')}</button>
</form>`;
}

export function customerPage(ctx: RequestContext, view: CustomerView): SafeHtml {
  const { t } = ctx;
  const who = view.email ?? view.customer.id;
  const base = `/admin/customers/${encodeURIComponent(view.customer.id)}`;
  return adminPage(ctx, {
    title: t('adminMoney.customer.title', { email: who }),
    notice: view.notice,
    body: html`<h1>${t('adminMoney.customer.title', { email: who })}</h1>
<p class="muted">${t('adminMoney.customer.since', { date: formatDateTime(view.customer.createdAt, ctx.locale, view.timeZone) })}</p>
<section class="card"><h2>${t('adminMoney.customer.balances')}</h2>${balanceList(ctx, view.balances, view.currency)}
${view.resellerLink ? html`<p><a href="${base}/reseller" data-testid="reseller-link">${t('resellers.admin.link')}</a></p>` : ''}</section>
<section class="card"><h2>${t('adminMoney.adjust.title')}</h2>${adjustForm(ctx, view)}</section>
<h2>${t('adminMoney.customer.subscriptions')}</h2>
${subscriptionsTable(ctx, view)}
<form method="post" action="${base}/subscription-link/rotate" data-testid="admin-rotate-link">
  ${csrfField(ctx)}<p class="muted">${t('sublink.adminRotateHelp')}</p><button type="submit" class="small secondary">${t('sublink.adminRotate')}</button>
</form>
${view.canIssueReset === false ? '' : issueResetForm(ctx, view.customer.id)}
${view.devices === undefined ? '' : customerDevicesSection(ctx, view.customer.id, view.devices, view.planNames, view.timeZone)}
<h2>${t('adminMoney.customer.payments')}</h2>
${paymentsTable(ctx, view.payments, view.timeZone)}
<h2 id="methods">${t('wallet.methods.title')}</h2>
${savedMethodsList(ctx, view.savedMethods ?? [], { manage: false, timeZone: view.timeZone })}
<h2 id="ledger">${t('adminMoney.customer.ledger')}</h2>
${ledgerTable(ctx, { ...view.ledger, timeZone: view.timeZone, showNote: true, pageHref: (cursor) => (cursor === null ? `${base}#ledger` : `${base}?after=${encodeURIComponent(cursor)}#ledger`) })}`,
  });
}
