import type { StorefrontDetail } from '../../app/storefronts/storefront-detail.js';
import type { StorefrontBrand } from '../../db/storefront-brands.js';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatBytes, formatMoney } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { storefrontBotForms } from '../storefront-bot-forms.js';
import { moneyList } from './storefronts-page.js';
import { storefrontAddressForm, type AddressFormState } from './storefront-address-form.js';
import type { StorefrontAddress } from '../../db/storefront-addresses.js';

/** What the owner's page of one storefront shows. */
export interface StorefrontView extends StorefrontDetail {
  /** The quota form as typed after a refusal, else the stored values. */
  values: Record<string, string>;
  errors?: FieldErrors;
  notice: string | null;
  /** The storefront's brand as saved, shown in its form; `null`: none set. */
  brand?: StorefrontBrand | null;
  /** The storefront's web address as saved; `null`: none. */
  address?: StorefrontAddress | null;
  /** The address form as typed after a refusal. */
  addressForm?: AddressFormState;
}

/**
 * The owner's page of one storefront: suspend or resume it, its quotas, menu, buyers, figures (its reseller's
 * withdrawals paid over the period and waiting now among them); move a buyer.
 */
export function storefrontPage(ctx: RequestContext, view: StorefrontView): SafeHtml {
  const { t, locale } = ctx;
  const sf = view.storefront;
  const base = `/admin/storefronts/${encodeURIComponent(sf.id)}`;
  const chosen = new Set(sf.quotas.panelIds ?? []);
  return adminPage(ctx, {
    title: t('storefronts.admin.storefrontTitle', { name: sf.name }),
    notice: view.notice,
    body: html`<h1>${t('storefronts.admin.storefrontTitle', { name: sf.name })}</h1>
<p><a href="/admin/storefronts">${t('storefronts.admin.back')}</a></p>
<dl class="facts">
  <dt>${t('storefronts.admin.reseller')}</dt><dd data-testid="storefront-reseller">${view.resellerEmail ?? sf.resellerId}</dd>
  <dt>${t('storefronts.admin.statusColumn')}</dt><dd><span class="badge ${sf.status}" data-testid="storefront-status" data-status="${sf.status}">${t(`storefronts.status.${sf.status}`)}</span></dd>
  <dt>${t('storefronts.admin.buyers')}</dt><dd data-testid="storefront-buyers">${view.usage.buyers}</dd>
  <dt>${t('storefronts.admin.sales')}</dt><dd data-testid="storefront-sales">${view.figures.sales}</dd>
  <dt>${t('storefronts.admin.retail')}</dt><dd>${moneyList(ctx, view.figures.retail)}</dd>
  <dt>${t('storefronts.admin.wholesale')}</dt><dd>${moneyList(ctx, view.figures.wholesale)}</dd>
  <dt>${t('storefronts.admin.margin')}</dt><dd data-testid="storefront-margin">${moneyList(ctx, view.figures.margin)}</dd>
  <dt>${t('storefronts.admin.collected')}</dt><dd data-testid="storefront-collected">${moneyList(ctx, view.figures.collected)}</dd>
  <dt>${t('storefronts.admin.payoutBalance')}</dt><dd data-testid="storefront-payout-balance">${moneyList(
    ctx,
    view.figures.payouts.map((p) => ({ amount: p.available, currency: p.currency })),
  )}</dd>
  <dt>${t('storefronts.admin.payoutsPaid')}</dt><dd data-testid="storefront-payouts-paid">${moneyList(ctx, view.figures.payoutsPaid)}</dd>
  <dt>${t('storefronts.admin.payoutsWaiting')}</dt><dd data-testid="storefront-payouts-waiting">${moneyList(ctx, view.figures.payoutsWaiting)}</dd>
</dl>
<form method="post" action="${base}/status" data-testid="storefront-status-form">
  ${csrfField(ctx)}
  ${
    sf.status === 'active'
      ? html`<input type="hidden" name="status" value="suspended"><button type="submit" class="danger">${t('storefronts.admin.suspend')}</button>`
      : html`<input type="hidden" name="status" value="active"><button type="submit">${t('storefronts.admin.resume')}</button>`
  }
</form>
<h2>${t('storefronts.admin.quotas')}</h2>
<p data-testid="storefront-usage">${t('storefronts.admin.usage', { subscriptions: view.usage.activeSubscriptions, traffic: formatBytes(view.usage.trafficBytes, locale) })}</p>
<form method="post" action="${base}/quotas" class="stack" data-testid="quotas-form" novalidate>
  ${csrfField(ctx)}${formError(view.errors)}
  ${field({ name: 'maxActiveSubscriptions', label: t('storefronts.admin.maxActiveSubscriptions'), value: view.values['maxActiveSubscriptions'], errors: view.errors, attrs: html`inputmode="numeric" autocomplete="off"` })}
  ${field({ name: 'maxTrafficGb', label: t('storefronts.admin.maxTrafficGb'), value: view.values['maxTrafficGb'], errors: view.errors, attrs: html`inputmode="numeric" autocomplete="off"` })}
  <fieldset><legend>${t('storefronts.admin.panels')}</legend>
  <p class="muted">${t('storefronts.admin.allPanels')}</p>
  ${view.panels.map(
    (panel) =>
      html`<label class="check"><input type="checkbox" name="panelIds" value="${panel.id}" ${chosen.has(panel.id) ? html`checked` : ''}> ${panel.name}</label>`,
  )}
  </fieldset>
  <p class="muted">${t('storefronts.admin.quotaHint')}</p>
  <button type="submit">${t('storefronts.admin.saveQuotas')}</button>
</form>
${storefrontAddressForm(ctx, base, view.address ?? null, view.addressForm)}
<h2>${t('storefronts.botForm.bot')}</h2>
${storefrontBotForms(ctx, base, view.brand ?? null)}
<h2>${t('storefronts.admin.menu')}</h2>
${
  view.menu.length === 0
    ? html`<p class="muted">${t('storefronts.admin.noMenu')}</p>`
    : html`<div class="table-wrap"><table data-testid="storefront-menu">
<thead><tr><th>${t('storefronts.admin.plan')}</th><th>${t('storefronts.admin.wholesalePrice')}</th><th>${t('storefronts.admin.retailPrice')}</th></tr></thead>
<tbody>${view.menu.map(
        (line) =>
          html`<tr data-plan="${line.item.planId}"><td>${line.plan?.name ?? line.item.planId}</td><td>${line.wholesale === null ? '—' : formatMoney(line.wholesale, locale)}</td><td>${formatMoney(line.item.retailPrice, locale)}</td></tr>`,
      )}</tbody></table></div>`
}
<h2>${t('storefronts.admin.buyersTitle')}</h2>
${
  view.buyers.length === 0
    ? html`<p class="muted">${t('storefronts.admin.noBuyers')}</p>`
    : html`<ul data-testid="storefront-buyer-list">${view.buyers.map(
        (b) => html`<li><a href="/admin/customers/${encodeURIComponent(b.customer.id)}">${b.email ?? b.customer.id}</a></li>`,
      )}</ul>`
}
<h2>${t('storefronts.admin.moveTitle')}</h2>
<form method="post" action="/admin/storefronts/move-buyer" class="stack" data-testid="move-buyer-form" novalidate>
  ${csrfField(ctx)}
  ${field({ name: 'buyer', label: t('storefronts.admin.moveBuyer'), attrs: html`autocomplete="off"` })}
  <label for="f-storefrontId">${t('storefronts.admin.moveTo')}
  <select id="f-storefrontId" name="storefrontId">
    ${view.others.map((other) => html`<option value="${other.id}" ${other.id === sf.id ? html`selected` : ''}>${other.name}</option>`)}
    <option value="">${t('storefronts.admin.ownShop')}</option>
  </select></label>
  <input type="hidden" name="back" value="${sf.id}">
  <button type="submit">${t('storefronts.admin.moveButton')}</button>
</form>`,
  });
}
