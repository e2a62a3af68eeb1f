import type { AuditEvent } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { formatDateTime, formatMoney } from '../i18n/format.js';
import type { ResellerTerms } from '../app/selling/reseller-terms.js';
import { sellsAtOnePrice } from '../app/plans/one-price.js';
import { planListPrice } from '../i18n/plan-text.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

function change(ctx: RequestContext, event: AuditEvent, currency: string, timeZone: string): SafeHtml {
  const { t, locale } = ctx;
  const money = (value: unknown) => (typeof value === 'number' ? formatMoney({ amount: value, currency }, locale) : '');
  const verb = event.action.slice('reseller.'.length);
  const params: Record<string, string> =
    verb === 'credit_limit_set'
      ? { from: money(event.data['from']), to: money(event.data['to']) }
      : verb === 'price_set'
        ? { price: money(event.data['price']) }
        : verb === 'client_added'
          ? { name: String(event.data['name'] ?? '') }
          : {};
  const text = t(`resellers.buyer.events.${verb}`, params);
  return html`<li data-testid="reseller-change">${formatDateTime(event.at, locale, timeZone)}: ${text}</li>`;
}

/**
 * A reseller's own page: its price per plan beside the listed price (`planListPrice`; a plan the buyer composes takes
 * no line and says why), its credit, and the changes made to its terms;
 * a link to its storefront's back office when it runs one.
 */
export function resellerAccountPage(
  ctx: RequestContext,
  terms: ResellerTerms,
  currency: string,
  timeZone: string,
  runsStorefront = false,
): SafeHtml {
  const { t, locale } = ctx;
  const money = (amount: number) => formatMoney({ amount, currency }, locale);
  return page(ctx, {
    title: t('resellers.buyer.title'),
    body: html`<h1>${t('resellers.buyer.title')}</h1>
<dl class="facts">
  <dt>${t('resellers.admin.balance')}</dt><dd data-testid="reseller-balance">${money(terms.balance)}</dd>
  <dt>${t('resellers.buyer.creditLimit')}</dt><dd data-testid="reseller-limit">${money(terms.creditLimit)}</dd>
  <dt>${t('resellers.buyer.spendable')}</dt><dd data-testid="reseller-spendable">${money(terms.spendable)}</dd>
</dl>
<div class="table-wrap"><table data-testid="reseller-prices">
<thead><tr><th>${t('resellers.admin.plan')}</th><th>${t('resellers.admin.listPrice')}</th><th>${t('resellers.buyer.yourPrice')}</th></tr></thead>
<tbody>${terms.prices.map(
      ({ plan, line }) =>
        html`<tr data-plan="${plan.id}"><td>${plan.name}</td><td data-testid="list-price">${planListPrice(plan, t, locale)}</td>${
          !sellsAtOnePrice(plan)
            ? html`<td class="muted" data-testid="built-plan-note">${t('resellers.builtPlan')}</td>`
            : html`<td>${line === null ? t('resellers.buyer.listPrice') : formatMoney(line.price, locale)}</td>`
        }</tr>`,
    )}</tbody></table></div>
<p><a href="/account/reseller/clients" data-testid="clients-link">${t('resellers.clients.link')}</a></p>
${runsStorefront ? html`<p><a href="/account/storefront" data-testid="storefront-link">${t('storefronts.office.link')}</a></p>` : ''}
<h2>${t('resellers.buyer.changes')}</h2>
${terms.changes.length === 0 ? html`<p class="muted">${t('resellers.buyer.noChanges')}</p>` : html`<ul>${terms.changes.map((e) => change(ctx, e, currency, timeZone))}</ul>`}`,
  });
}
