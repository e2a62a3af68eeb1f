import type { FoundCustomer } from '../../app/customers/find-customers.js';
import type { RequestContext } from '../../http/context.js';
import { formatDateTime } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { html, type SafeHtml } from '../html.js';

export interface CustomersView {
  query: string;
  page: number;
  items: FoundCustomer[];
  hasMore: boolean;
  timeZone: string;
}

export function customersPage(ctx: RequestContext, view: CustomersView): SafeHtml {
  const { t, locale } = ctx;
  const pageHref = (n: number) => `/admin/customers?q=${encodeURIComponent(view.query)}&page=${n}`;
  return adminPage(ctx, {
    title: t('adminMoney.customers.title'),
    body: html`<h1>${t('adminMoney.customers.title')}</h1>
<form method="get" action="/admin/customers" class="stack" role="search">
  <label for="customer-search">${t('adminMoney.customers.search')}
    <input id="customer-search" name="q" type="search" value="${view.query}" maxlength="100" autocomplete="off">
  </label>
  <button type="submit" class="secondary">${t('adminMoney.customers.searchSubmit')}</button>
</form>
${
  view.items.length === 0
    ? html`<p class="muted">${t('adminMoney.customers.empty')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th>${t('adminMoney.customers.email')}</th><th>${t('adminMoney.customers.role')}</th><th>${t('adminMoney.customers.joined')}</th></tr></thead>
<tbody>${view.items.map(
        (c) =>
          html`<tr data-testid="customer-row"><td><a href="/admin/customers/${encodeURIComponent(c.customerId)}">${c.email ?? c.name ?? c.customerId}</a></td><td>${t(`adminMoney.customers.roles.${c.role ?? 'botOnly'}`)}</td><td>${formatDateTime(c.createdAt, locale, view.timeZone)}</td></tr>`,
      )}</tbody></table></div>`
}
<p>${view.page > 1 ? html`<a href="${pageHref(view.page - 1)}" rel="prev">${t('adminMoney.customers.previous')}</a> ` : ''}${view.hasMore ? html`<a href="${pageHref(view.page + 1)}" rel="next">${t('adminMoney.customers.next')}</a>` : ''}</p>`,
  });
}
