import type { Customer, Plan, PriceBookEntry } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatMoney } from '../../i18n/format.js';
import { planListPrice } from '../../i18n/plan-text.js';
import { sellsAtOnePrice } from '../../app/plans/one-price.js';
import { adminPage } from '../admin-layout.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** What the reseller page shows: the customer, every plan with its line (if any), the credit limit, and the form as typed. */
export interface ResellerView {
  customer: Customer;
  email: string | null;
  currency: string;
  balance: number;
  creditLimit: number;
  plans: Plan[];
  lines: ReadonlyMap<string, PriceBookEntry>;
  /** The form as typed after a refused save (amounts as text), else the stored values. */
  values: Record<string, string>;
  errors?: FieldErrors;
  notice: string | null;
}

/** The name of a plan's price field on the form. */
export function priceField(planId: string): string {
  return `price_${planId}`;
}

/**
 * The owner's page for one customer's reseller terms: its price per plan (blank: the list price) and its
 * credit limit (how far below zero its balance may go). A customer with a line or a limit is a reseller. Each plan's
 * list price is its listed one (`planListPrice`); a plan the buyer composes takes no line and says why.
 */
export function resellerPage(ctx: RequestContext, view: ResellerView): SafeHtml {
  const { t, locale } = ctx;
  const who = view.email ?? view.customer.id;
  const base = `/admin/customers/${encodeURIComponent(view.customer.id)}`;
  const money = (amount: number) => formatMoney({ amount, currency: view.currency }, locale);
  const isReseller = view.lines.size > 0 || view.creditLimit > 0;
  return adminPage(ctx, {
    title: t('resellers.admin.title', { email: who }),
    notice: view.notice,
    body: html`<h1>${t('resellers.admin.title', { email: who })}</h1>
<p><a href="${base}">${t('resellers.admin.back')}</a></p>
<p data-testid="reseller-status">${isReseller ? t('resellers.admin.isReseller') : t('resellers.admin.notReseller')}</p>
<dl class="facts">
  <dt>${t('resellers.admin.balance')}</dt><dd data-testid="reseller-balance">${money(view.balance)}</dd>
  <dt>${t('resellers.admin.creditLimit')}</dt><dd data-testid="reseller-limit">${money(view.creditLimit)}</dd>
</dl>
<form method="post" action="${base}/reseller" class="stack" data-testid="reseller-form" novalidate>
  ${csrfField(ctx)}${formError(view.errors)}
  ${field({ name: 'creditLimit', label: t('resellers.admin.creditLimitField', { currency: view.currency }), value: view.values['creditLimit'], errors: view.errors, hint: t('resellers.admin.creditLimitHint'), attrs: html`inputmode="decimal" autocomplete="off"` })}
  <div class="table-wrap"><table data-testid="price-book">
  <thead><tr><th>${t('resellers.admin.plan')}</th><th>${t('resellers.admin.listPrice')}</th><th>${t('resellers.admin.resellerPrice', { currency: view.currency })}</th></tr></thead>
  <tbody>${view.plans.map((plan) => {
    const name = priceField(plan.id);
    const error = view.errors?.[name];
    // A plan the buyer composes is priced by its builder at checkout: no line to offer (`sellsAtOnePrice`).
    if (!sellsAtOnePrice(plan))
      return html`<tr data-plan="${plan.id}">
    <td>${plan.name}</td>
    <td data-testid="list-price">${planListPrice(plan, t, locale)}</td>
    <td class="muted" data-testid="built-plan-note">${t('resellers.builtPlan')}</td>
  </tr>`;
    return html`<tr data-plan="${plan.id}">
    <td><label for="f-${name}">${plan.name}</label></td>
    <td data-testid="list-price">${planListPrice(plan, t, locale)}</td>
    <td><input id="f-${name}" name="${name}" value="${view.values[name] ?? ''}" inputmode="decimal" autocomplete="off" placeholder="${t('resellers.admin.listPlaceholder')}">${error ? html`<p class="field-error">${error}</p>` : ''}</td>
  </tr>`;
  })}</tbody></table></div>
  <p class="muted">${t('resellers.admin.priceHint')}</p>
  <button type="submit">${t('resellers.admin.save')}</button>
</form>`,
  });
}
