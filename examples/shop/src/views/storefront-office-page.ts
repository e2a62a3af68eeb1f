import type { StorefrontBrand } from '../db/storefront-brands.js';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import type { BackOffice } from '../app/storefronts/back-office.js';
import { formatDate, formatMoney } from '../i18n/format.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { storefrontBotForms } from './storefront-bot-forms.js';
import { moneyList } from './admin/storefronts-page.js';

/** The name of a plan's retail price field on the menu form. */
export function retailField(planId: string): string {
  return `retail_${planId}`;
}

/** Minor units as a reseller types them back (`7.00`), without float rounding. */
export type MajorText = (amount: number) => string;

/** What the back office page shows beside the reseller's data: the forms as typed after a refusal, and fresh keys. */
export interface OfficeForms {
  values: Record<string, string>;
  errors?: FieldErrors;
  withdrawalKey: string;
  broadcastKey: string;
  notice: string | null;
  timeZone: string;
  majorText: MajorText;
  /** The storefront's brand as saved, shown in its form; `null`: none set. */
  brand?: StorefrontBrand | null;
}

function botLine(ctx: RequestContext, office: BackOffice): SafeHtml {
  const { t } = ctx;
  if (office.storefront.status === 'suspended')
    return html`<p data-testid="bot-health" data-state="suspended">${t('storefronts.office.botSuspended')}</p>`;
  const { bot } = office;
  if (bot.state === 'working')
    return html`<p data-testid="bot-health" data-state="working">${t('storefronts.office.botHealthy', { username: bot.username ?? '' })}</p>`;
  if (bot.state === 'failing')
    return html`<p data-testid="bot-health" data-state="failing">${t('storefronts.office.botFailing', { problem: bot.problem ?? '' })}</p>`;
  return html`<p class="muted" data-testid="bot-health" data-state="none">${t('storefronts.office.botUnknown')}</p>`;
}

/**
 * A reseller's back office: its storefront's state, this month's sales, margin and what was collected for it (its
 * payout balance is credited the retail price, its wallet pays its own price), its payout balance, what its
 * withdrawals hold (asked, not paid yet) and what was paid out to it this month, its withdrawals (and the form asking
 * one), its menu (the form setting retail prices), its buyers, a broadcast to them, and its bot's health.
 */
export function storefrontOfficePage(ctx: RequestContext, office: BackOffice, forms: OfficeForms): SafeHtml {
  const { t, locale } = ctx;
  const { storefront, currency } = office;
  const money = (amount: number) => formatMoney({ amount, currency }, locale);
  const values = forms.values;
  return page(ctx, {
    title: t('storefronts.office.title', { name: storefront.name }),
    notice: forms.notice,
    wide: true,
    body: html`<h1>${t('storefronts.office.title', { name: storefront.name })}</h1>
${storefront.status === 'suspended' ? html`<p class="error" role="status" data-testid="office-suspended">${t('storefronts.office.suspended')}</p>` : ''}
${formError(forms.errors)}
<h2>${t('storefronts.office.figures')}</h2>
<dl class="facts" data-testid="office-figures">
  <dt>${t('storefronts.office.sales')}</dt><dd data-testid="office-sales">${office.month.sales}</dd>
  <dt>${t('storefronts.office.retail')}</dt><dd>${moneyList(ctx, office.month.retail)}</dd>
  <dt>${t('storefronts.office.wholesale')}</dt><dd>${moneyList(ctx, office.month.wholesale)}</dd>
  <dt>${t('storefronts.office.margin')}</dt><dd data-testid="office-margin">${moneyList(ctx, office.month.margin)}</dd>
  <dt>${t('storefronts.office.collected')}</dt><dd data-testid="office-collected">${moneyList(ctx, office.month.collected)}</dd>
  <dt>${t('storefronts.office.payoutBalance')}</dt><dd data-testid="office-payout-balance">${money(office.payoutBalance)}</dd>
  <dt>${t('storefronts.office.held')}</dt><dd data-testid="office-held">${money(office.held)}</dd>
  <dt>${t('storefronts.office.payoutsPaid')}</dt><dd data-testid="office-payouts-paid">${moneyList(ctx, office.month.payoutsPaid)}</dd>
</dl>
<p class="muted" data-testid="office-money-hint">${t('storefronts.office.moneyHint')}</p>
<p><a href="/account/storefront/figures" data-testid="office-figures-link">${t('figures.openStorefront')}</a></p>
<h2>${t('storefronts.office.bot')}</h2>
${botLine(ctx, office)}
${storefrontBotForms(ctx, '/account/storefront', forms.brand ?? null)}
<h2>${t('storefronts.office.menu')}</h2>
<p class="muted">${t('storefronts.office.menuHint')}</p>
<form method="post" action="/account/storefront/menu" class="stack" data-testid="menu-form" novalidate>
  ${csrfField(ctx)}
  <div class="table-wrap"><table data-testid="office-menu">
  <thead><tr><th>${t('storefronts.office.plan')}</th><th>${t('storefronts.office.yourPrice')}</th><th>${t('storefronts.office.retailField', { currency })}</th></tr></thead>
  <tbody>${office.menu.map((row) => {
    const name = retailField(row.plan.id);
    const error = forms.errors?.[name];
    const stored = row.retail === null ? '' : forms.majorText(row.retail.amount);
    return html`<tr data-plan="${row.plan.id}">
    <td><label for="f-${name}">${row.plan.name}</label></td>
    <td>${formatMoney(row.wholesale, locale)}</td>
    <td><input id="f-${name}" name="${name}" value="${values[name] ?? stored}" inputmode="decimal" autocomplete="off" ${error ? html`aria-invalid="true"` : ''}>${error ? html`<p class="field-error">${error}</p>` : ''}</td>
  </tr>`;
  })}</tbody></table></div>
  ${
    office.builtPlans.length === 0
      ? ''
      : html`<p class="muted" data-testid="office-built-plans">${t('storefronts.office.builtPlans', { plans: office.builtPlans.map((p) => p.name).join(', ') })}</p>`
  }
  <button type="submit">${t('storefronts.office.saveMenu')}</button>
</form>
<h2>${t('storefronts.office.withdrawals')}</h2>
${
  office.withdrawals.length === 0
    ? html`<p class="muted">${t('storefronts.office.noWithdrawals')}</p>`
    : html`<ul data-testid="office-withdrawals">${office.withdrawals.map(
        (w) =>
          html`<li data-withdrawal="${w.id}" data-status="${w.status}">${formatDate(w.requestedAt, locale, forms.timeZone)}: ${formatMoney(w.amount, locale)} — ${t(`storefronts.withdrawalStatus.${w.status}`)}${
            w.reason === null ? '' : html` (${w.reason})`
          }</li>`,
      )}</ul>`
}
<h3>${t('storefronts.office.withdraw')}</h3>
<form method="post" action="/account/storefront/withdrawals" class="stack" data-testid="withdraw-form" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="idempotencyKey" value="${forms.withdrawalKey}">
  ${field({ name: 'amount', label: t('storefronts.office.amountField', { currency }), value: values['amount'], errors: forms.errors, attrs: html`inputmode="decimal" autocomplete="off"` })}
  ${field({ name: 'destination', label: t('storefronts.office.destinationField'), value: values['destination'], errors: forms.errors, attrs: html`maxlength="500" autocomplete="off"` })}
  <button type="submit">${t('storefronts.office.withdrawButton')}</button>
</form>
<h2>${t('storefronts.office.buyers')} (${office.buyerCount})</h2>
${
  office.buyers.length === 0
    ? html`<p class="muted">${t('storefronts.office.noBuyers')}</p>`
    : html`<div class="table-wrap"><table data-testid="office-buyers"><thead><tr><th>${t('storefronts.office.buyers')}</th><th>${t('storefronts.office.joined')}</th></tr></thead>
<tbody>${office.buyers.map((b) => html`<tr><td>${b.email ?? b.customer.name ?? b.customer.id}</td><td>${formatDate(b.customer.createdAt, locale, forms.timeZone)}</td></tr>`)}</tbody></table></div>`
}
<h2>${t('storefronts.office.broadcast')}</h2>
<p class="muted">${t('storefronts.office.broadcastHint')}</p>
<form method="post" action="/account/storefront/broadcasts" class="stack" data-testid="broadcast-form" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="idempotencyKey" value="${forms.broadcastKey}">
  <label for="f-text">${t('storefronts.office.broadcastField')}
  <textarea id="f-text" name="text" rows="4" maxlength="4000">${values['text'] ?? ''}</textarea></label>
  ${forms.errors?.['text'] ? html`<p class="field-error">${forms.errors['text']}</p>` : ''}
  <button type="submit">${t('storefronts.office.broadcastButton')}</button>
</form>`,
  });
}
