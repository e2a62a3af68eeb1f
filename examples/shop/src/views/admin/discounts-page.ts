import { DISCOUNT_USES } from '@panelkit/sdk';
import type { DiscountCode, DiscountUse, Plan } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import { adminPage } from '../admin-layout.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

/** The create form's values as typed, shown again beside its errors. */
export interface DiscountFormValues {
  code: string;
  type: 'percent' | 'fixed';
  value: string;
  planIds: string[];
  locations: string;
  minAmount: string;
  startsAt: string;
  endsAt: string;
  maxUses: string;
  maxUsesPerCustomer: string;
  firstPurchaseOnly: boolean;
  appliesTo: DiscountUse[];
  note: string;
}

/** What the discount codes page shows. */
export interface DiscountsView {
  codes: DiscountCode[];
  nextCursor: string | null;
  plans: Plan[];
  currency: string;
  timeZone: string;
  notice?: string | null;
  errors?: FieldErrors;
  values?: DiscountFormValues;
}

const EMPTY: DiscountFormValues = {
  code: '',
  type: 'percent',
  value: '',
  planIds: [],
  locations: '',
  minAmount: '',
  startsAt: '',
  endsAt: '',
  maxUses: '',
  maxUsesPerCustomer: '',
  firstPurchaseOnly: false,
  appliesTo: ['purchase'],
  note: '',
};

function valueText(ctx: RequestContext, code: DiscountCode): string {
  return code.value.type === 'percent' ? `${code.value.percent}%` : formatMoney(code.value.amount, ctx.locale);
}

function row(ctx: RequestContext, view: DiscountsView, code: DiscountCode): SafeHtml {
  const { t, locale } = ctx;
  const limit = code.maxUses === null ? t('discounts.admin.unlimited') : String(code.maxUses);
  const window = [code.startsAt, code.endsAt].map((d) => (d === null ? '–' : formatDateTime(d, locale, view.timeZone))).join(' → ');
  return html`<tr data-testid="discount-row" data-code="${code.code}">
<td><code>${code.code}</code>${code.note ? html`<br><small class="muted">${code.note}</small>` : ''}</td>
<td>${valueText(ctx, code)}</td>
<td data-testid="discount-uses">${code.uses} / ${limit}</td>
<td>${code.appliesTo.map((u) => t(`discounts.admin.uses_${u}`)).join(', ')}</td>
<td>${window}</td>
<td>${code.disabled ? t('discounts.admin.disabledStatus') : t('discounts.admin.active')}</td>
<td><form method="post" action="/admin/discounts/${encodeURIComponent(code.id)}/disabled"><input type="hidden" name="_csrf" value="${ctx.csrfToken}">
<input type="hidden" name="disabled" value="${code.disabled ? 'false' : 'true'}">
<button type="submit" class="secondary small">${code.disabled ? t('discounts.admin.enable') : t('discounts.admin.disable')}</button></form></td></tr>`;
}

/** The owner's discount codes: every code with its uses, a button to disable (or enable) it, and the form for a new one. */
export function discountsPage(ctx: RequestContext, view: DiscountsView): SafeHtml {
  const { t } = ctx;
  const v = view.values ?? EMPTY;
  const errors = view.errors;
  return adminPage(ctx, {
    title: t('discounts.admin.title'),
    notice: view.notice ?? null,
    body: html`<h1>${t('discounts.admin.title')}</h1>
${
  view.codes.length === 0
    ? html`<p class="muted">${t('discounts.admin.none')}</p>`
    : html`<div class="table-wrap"><table data-testid="discount-table">
<thead><tr><th>${t('discounts.admin.code')}</th><th>${t('discounts.admin.value')}</th><th>${t('discounts.admin.uses')}</th><th>${t('discounts.admin.appliesTo')}</th><th>${t('discounts.admin.window')}</th><th>${t('discounts.admin.status')}</th><th></th></tr></thead>
<tbody>${view.codes.map((c) => row(ctx, view, c))}</tbody></table></div>
${view.nextCursor === null ? '' : html`<p><a href="/admin/discounts?cursor=${encodeURIComponent(view.nextCursor)}">${t('wallet.ledger.older')}</a></p>`}`
}
<h2>${t('discounts.admin.new')}</h2>
<form method="post" action="/admin/discounts" class="stack" data-testid="discount-create" novalidate>
  <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
  ${formError(errors)}
  ${field({ name: 'code', label: t('discounts.admin.code'), value: v.code, errors, required: true, autocomplete: 'off', hint: t('discounts.admin.badCode') })}
  <fieldset><legend>${t('discounts.admin.type')}</legend>
    <label class="check"><input type="radio" name="type" value="percent" ${v.type === 'percent' ? html`checked` : ''}> ${t('discounts.admin.percent')}</label>
    <label class="check"><input type="radio" name="type" value="fixed" ${v.type === 'fixed' ? html`checked` : ''}> ${t('discounts.admin.fixed')} (${view.currency})</label>
  </fieldset>
  ${field({ name: 'value', label: t('discounts.admin.value'), value: v.value, errors, required: true, hint: t('discounts.admin.valueHint'), attrs: html`inputmode="decimal"` })}
  <fieldset><legend>${t('discounts.admin.appliesTo')}</legend>
    ${DISCOUNT_USES.map((u) => html`<label class="check"><input type="checkbox" name="appliesTo" value="${u}" ${v.appliesTo.includes(u) ? html`checked` : ''}> ${t(`discounts.admin.uses_${u}`)}</label>`)}
    ${errors?.['appliesTo'] ? html`<p class="field-error">${errors['appliesTo']}</p>` : ''}
  </fieldset>
  <fieldset><legend>${t('discounts.admin.planIds')}</legend>
    ${view.plans.map((p) => html`<label class="check"><input type="checkbox" name="planIds" value="${p.id}" ${v.planIds.includes(p.id) ? html`checked` : ''}> ${p.name}</label>`)}
    ${errors?.['planIds'] ? html`<p class="field-error">${errors['planIds']}</p>` : ''}
  </fieldset>
  ${field({ name: 'locations', label: t('discounts.admin.locations'), value: v.locations, errors })}
  ${field({ name: 'minAmount', label: `${t('discounts.admin.minAmount')} (${view.currency})`, value: v.minAmount, errors, attrs: html`inputmode="decimal"` })}
  ${field({ name: 'startsAt', label: t('discounts.admin.startsAt'), value: v.startsAt, errors, attrs: html`placeholder="2026-01-31"` })}
  ${field({ name: 'endsAt', label: t('discounts.admin.endsAt'), value: v.endsAt, errors, attrs: html`placeholder="2026-02-28"` })}
  ${field({ name: 'maxUses', label: t('discounts.admin.maxUses'), value: v.maxUses, errors, attrs: html`inputmode="numeric"`, hint: t('discounts.admin.unlimited') })}
  ${field({ name: 'maxUsesPerCustomer', label: t('discounts.admin.maxUsesPerCustomer'), value: v.maxUsesPerCustomer, errors, attrs: html`inputmode="numeric"`, hint: t('discounts.admin.unlimited') })}
  <label class="check"><input type="checkbox" name="firstPurchaseOnly" value="on" ${v.firstPurchaseOnly ? html`checked` : ''}> ${t('discounts.admin.firstPurchaseOnly')}</label>
  ${field({ name: 'note', label: t('discounts.admin.note'), value: v.note, errors })}
  <button type="submit">${t('discounts.admin.create')}</button>
</form>`,
  });
}
