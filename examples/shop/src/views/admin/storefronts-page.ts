import type { Money } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import type { StorefrontRow } from '../../app/storefronts/storefronts-overview.js';
import { formatMoney } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** Amounts per currency on one line (`—` for none). */
export function moneyList(ctx: RequestContext, amounts: readonly Money[] | undefined): string {
  return amounts === undefined || amounts.length === 0 ? '—' : amounts.map((m) => formatMoney(m, ctx.locale)).join(' · ');
}

/**
 * The storefront list: each with its reseller, buyers and figures over the period (its reseller's withdrawals paid in
 * it and waiting now among them, as its own page shows them), and the form creating one.
 */
export function storefrontsPage(
  ctx: RequestContext,
  view: {
    rows: StorefrontRow[];
    ownShopRevenue: readonly Money[];
    values: Record<string, string>;
    errors?: FieldErrors;
    notice: string | null;
  },
): SafeHtml {
  const { t } = ctx;
  return adminPage(ctx, {
    title: t('storefronts.admin.title'),
    notice: view.notice,
    body: html`<h1>${t('storefronts.admin.title')}</h1>
<p class="muted">${t('storefronts.admin.intro')}</p>
<p><a href="/admin/payouts" data-testid="payouts-link">${t('storefronts.admin.payoutsTitle')}</a></p>
<p data-testid="own-shop-revenue">${t('storefronts.admin.ownShop')} (${t('storefronts.admin.period')}): ${moneyList(ctx, view.ownShopRevenue)}</p>
${
  view.rows.length === 0
    ? html`<p class="muted" data-testid="no-storefronts">${t('storefronts.admin.none')}</p>`
    : html`<div class="table-wrap"><table data-testid="storefronts">
<caption>${t('storefronts.admin.period')}</caption>
<thead><tr><th>${t('storefronts.admin.name')}</th><th>${t('storefronts.admin.reseller')}</th><th>${t('storefronts.admin.statusColumn')}</th><th>${t('storefronts.admin.buyers')}</th><th>${t('storefronts.admin.sales')}</th><th>${t('storefronts.admin.retail')}</th><th>${t('storefronts.admin.wholesale')}</th><th>${t('storefronts.admin.margin')}</th><th>${t('storefronts.admin.payoutsPaid')}</th><th>${t('storefronts.admin.payoutsWaiting')}</th></tr></thead>
<tbody>${view.rows.map(
        (row) => html`<tr data-storefront="${row.storefront.id}">
<td><a href="/admin/storefronts/${encodeURIComponent(row.storefront.id)}">${row.storefront.name}</a></td>
<td>${row.resellerEmail ?? row.storefront.resellerId}</td>
<td><span class="badge ${row.storefront.status}" data-status="${row.storefront.status}">${t(`storefronts.status.${row.storefront.status}`)}</span></td>
<td>${row.buyers}</td>
<td data-testid="storefront-sales">${row.figures?.sales ?? 0}</td>
<td>${moneyList(ctx, row.figures?.retail)}</td>
<td>${moneyList(ctx, row.figures?.wholesale)}</td>
<td data-testid="storefront-margin">${moneyList(ctx, row.figures?.margin)}</td>
<td data-testid="storefront-payouts-paid">${moneyList(ctx, row.figures?.payoutsPaid)}</td>
<td data-testid="storefront-payouts-waiting">${moneyList(ctx, row.figures?.payoutsWaiting)}</td>
</tr>`,
      )}</tbody></table></div>`
}
<h2>${t('storefronts.admin.create')}</h2>
<form method="post" action="/admin/storefronts" class="stack" data-testid="create-storefront" novalidate>
  ${csrfField(ctx)}${formError(view.errors)}
  ${field({ name: 'reseller', label: t('storefronts.admin.resellerField'), value: view.values['reseller'], errors: view.errors, hint: t('storefronts.admin.resellerHint'), attrs: html`autocomplete="off"` })}
  ${field({ name: 'name', label: t('storefronts.admin.nameField'), value: view.values['name'], errors: view.errors, attrs: html`maxlength="100" autocomplete="off"` })}
  <button type="submit">${t('storefronts.admin.createButton')}</button>
</form>`,
  });
}
