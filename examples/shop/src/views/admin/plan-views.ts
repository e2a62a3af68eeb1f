import type { Panel, Plan, Target } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatNumber } from '../../i18n/format.js';
import { listedPriceText, planListPrice, planSummary, type ListedPrice } from '../../i18n/plan-text.js';
import { planBuilderFieldset } from './plan-builder-fields.js';
import type { PlanFormValues } from '../../app/plans/plan-form.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { orderedTargetsField } from './ordered-targets.js';
import type { PlanTextValues } from '../../app/plans/plan-text-form.js';
import { planTextsFieldset } from './plan-texts-fields.js';
import { planRoutingField } from './plan-routing-field.js';
import { planKindsFieldset, unservedKindsWarning } from './plan-kinds-field.js';
import { badge, checkField, selectField, table, textareaField } from './widgets.js';

export function plansListBody(ctx: RequestContext, plans: Plan[]): SafeHtml {
  const { t, locale } = ctx;
  return html`<h1>${t('adminOps.plans.title')}</h1>
<p><a class="button" href="/admin/plans/new" data-testid="add-plan">${t('adminOps.plans.add')}</a></p>
${
  plans.length === 0
    ? html`<p class="muted">${t('adminOps.plans.none')}</p>`
    : table(
        [
          t('adminOps.plans.name'),
          t('adminOps.plans.price'),
          t('adminOps.plans.gives'),
          t('adminOps.plans.allocated'),
          t('adminOps.plans.onSale'),
          '',
        ],
        plans.map(
          (p) => html`<tr data-testid="plan-row" data-plan-id="${p.id}">
  <td>${p.name} <small class="muted">${p.family}</small></td>
  <td data-testid="plan-price">${planListPrice(p, t, locale)}</td>
  <td>${planSummary(p, t, locale)}</td>
  <td data-testid="plan-allocated">${formatNumber(p.allocated, locale)} / ${p.maxClients === null ? t('adminOps.unlimited') : formatNumber(p.maxClients, locale)}</td>
  <td>${badge(ctx, 'onOff', p.onSale ? 'on' : 'off')}</td>
  <td><a href="/admin/plans/${p.id}/edit" data-testid="edit-plan">${t('adminOps.edit')}</a></td>
</tr>`,
        ),
        'plans',
      )
}`;
}

/** Create (`planId` null) or edit a plan. */
export function planFormBody(
  ctx: RequestContext,
  options: {
    planId: string | null;
    values: PlanFormValues;
    texts: PlanTextValues;
    /** The routing select's value: `''` for none, or a preset. */
    routing: string;
    errors?: FieldErrors;
    currency: string;
    targets: Target[];
    panels: Panel[];
    /** Live subscribers sold on terms other than the plan's current ones (0 for a new plan). */
    olderTerms?: number;
    /** The price buyers see the plan listed at: the saved plan's, or the typed one's when `previewed`. */
    listed?: ListedPrice | null;
    /** The form was checked and priced, not saved (the owner asked for a preview). */
    previewed?: boolean;
  },
): SafeHtml {
  const { t } = ctx;
  const { values: v, errors } = options;
  const panelName = new Map(options.panels.map((p) => [p.id, p.name]));
  const targetChoices = options.targets.map((x) => [x.id, `${panelName.get(x.panelId) ?? x.panelId} · ${x.name} (${x.protocol})`] as const);
  const action = options.planId === null ? '/admin/plans' : `/admin/plans/${options.planId}/edit`;
  return html`<h1>${options.planId === null ? t('adminOps.plans.add') : t('adminOps.plans.editTitle')}</h1>
${listedPriceNote(ctx, options.listed ?? null, options.previewed === true)}
${unservedKindsWarning(ctx, v.kinds, options.targets)}
<form method="post" action="${action}" class="stack" novalidate data-testid="plan-form">
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'name', label: t('adminOps.plans.name'), value: v.name, errors, required: true })}
  ${field({ name: 'family', label: t('adminOps.plans.family'), value: v.family, errors, required: true, hint: t('adminOps.plans.familyHint') })}
  ${planKindsFieldset(ctx, v.kinds, errors)}
  ${textareaField({ name: 'description', label: t('adminOps.plans.description'), value: v.description, errors })}
  ${planTextsFieldset(ctx, options.texts, errors)}
  ${field({ name: 'price', label: t('adminOps.plans.priceIn', { currency: options.currency }), value: v.price, errors, required: true, attrs: html`inputmode="decimal" dir="ltr"` })}
  ${field({ name: 'durationDays', label: t('adminOps.plans.durationDays'), value: v.durationDays, errors, required: true, attrs: html`inputmode="numeric"` })}
  ${field({ name: 'trafficGiB', label: t('adminOps.plans.trafficGiB'), value: v.trafficGiB, errors, hint: t('adminOps.emptyUnlimited'), attrs: html`inputmode="decimal"` })}
  ${field({ name: 'deviceLimit', label: t('adminOps.plans.deviceLimit'), value: v.deviceLimit, errors, hint: t('adminOps.emptyUnlimited'), attrs: html`inputmode="numeric"` })}
  ${selectField({
    name: 'noHwidPolicy',
    label: t('devices.plan.noHwidPolicy'),
    value: v.noHwidPolicy,
    errors,
    choices: [
      ['serve', t('devices.plan.serve')],
      ['refuse', t('devices.plan.refuse')],
    ],
    hint: t('devices.plan.noHwidPolicyHint'),
  })}
  ${planRoutingField(ctx, options.routing, errors)}
  ${field({ name: 'seats', label: t('planForm.seats'), value: v.seats, errors, hint: t('planForm.seatsHint'), attrs: html`inputmode="numeric"` })}
  ${field({ name: 'maxClients', label: t('adminOps.plans.maxClients'), value: v.maxClients, errors, hint: t('adminOps.emptyUnlimited'), attrs: html`inputmode="numeric"` })}
  <fieldset>
    <legend>${t('adminOps.plans.placement')}</legend>
    ${field({ name: 'allowedLocations', label: t('adminOps.plans.allowedLocations'), value: v.allowedLocations, errors, hint: t('adminOps.plans.allowedLocationsHint'), attrs: html`dir="ltr"` })}
    ${orderedTargetsField(ctx, v.preferredTargetIds, targetChoices, errors)}
  </fieldset>
  ${checkField({ name: 'autoProvision', label: t('adminOps.plans.autoProvision'), checked: v.autoProvision, hint: t('adminOps.plans.autoProvisionHint') })}
  ${checkField({ name: 'renewable', label: t('adminOps.plans.renewable'), checked: v.renewable })}
  ${checkField({ name: 'startOnFirstUse', label: t('adminOps.plans.startOnFirstUse'), checked: v.startOnFirstUse })}
  ${checkField({ name: 'onSale', label: t('adminOps.plans.onSaleLabel'), checked: v.onSale })}
  <fieldset>
    <legend>${t('adminOps.plans.trial')}</legend>
    ${field({ name: 'trialDays', label: t('adminOps.plans.trialDays'), value: v.trialDays, errors, hint: t('adminOps.plans.trialDaysHint'), attrs: html`inputmode="numeric"` })}
    ${field({ name: 'trialGiB', label: t('adminOps.plans.trialGiB'), value: v.trialGiB, errors, hint: t('adminOps.emptyUnlimited'), attrs: html`inputmode="decimal"` })}
    ${field({ name: 'trialPrice', label: t('adminOps.plans.trialPrice'), value: v.trialPrice, errors, hint: t('adminOps.plans.trialPriceHint'), attrs: html`inputmode="decimal"` })}
    ${checkField({ name: 'trialRequirePhone', label: t('planForm.trialRequirePhone'), checked: v.trialRequirePhone, hint: t('planForm.trialRequirePhoneHint') })}
  </fieldset>
  ${planBuilderFieldset(ctx, v, options.currency, errors)}
  <fieldset>
    <legend>${t('adminOps.plans.extension')}</legend>
    ${field({ name: 'extensionWindowDays', label: t('adminOps.plans.windowDays'), value: v.extensionWindowDays, errors, required: true, attrs: html`inputmode="decimal"` })}
    ${field({ name: 'extensionPrice', label: t('planForm.extensionPrice', { currency: options.currency }), value: v.extensionPrice, errors, hint: t('planForm.extensionPriceHint'), attrs: html`inputmode="decimal" dir="ltr"` })}
    ${selectField({
      name: 'trafficOnExtend',
      label: t('adminOps.plans.trafficOnExtend'),
      value: v.trafficOnExtend,
      errors,
      choices: [
        ['replace', t('adminOps.plans.trafficReplace')],
        ['carry_over', t('adminOps.plans.trafficCarryOver')],
      ],
    })}
    ${selectField({
      name: 'daysOnExtend',
      label: t('adminOps.plans.daysOnExtend'),
      value: v.daysOnExtend,
      errors,
      choices: [
        ['stack', t('adminOps.plans.daysStack')],
        ['restart', t('adminOps.plans.daysRestart')],
      ],
    })}
  </fieldset>
  <fieldset>
    <legend>${t('adminOps.plans.trafficTopUp')}</legend>
    ${field({ name: 'topUpPricePerGiB', label: t('adminOps.plans.topUpPricePerGiB'), value: v.topUpPricePerGiB, errors, hint: t('adminOps.plans.topUpPricePerGiBHint'), attrs: html`inputmode="decimal"` })}
    ${field({ name: 'topUpMaxGiB', label: t('adminOps.plans.topUpMaxGiB'), value: v.topUpMaxGiB, errors, attrs: html`inputmode="numeric"` })}
  </fieldset>
  <fieldset data-testid="plan-device-pack">
    <legend>${t('devicePacks.admin.legend')}</legend>
    ${field({ name: 'devicePackPrice', label: t('devicePacks.admin.price'), value: v.devicePackPrice, errors, hint: t('devicePacks.admin.priceHint'), attrs: html`inputmode="decimal"` })}
    ${field({ name: 'devicePackMax', label: t('devicePacks.admin.max'), value: v.devicePackMax, errors, attrs: html`inputmode="numeric"` })}
  </fieldset>
  <div class="actions">
    <button type="submit" data-testid="save-plan">${t('adminOps.save')}</button>
    <button type="submit" name="intent" value="preview" class="secondary" data-testid="preview-plan">${t('planForm.preview')}</button>
    <a href="/admin/plans">${t('adminOps.cancel')}</a>
  </div>
</form>
${options.planId === null ? '' : olderTermsSection(ctx, options.planId, options.olderTerms ?? 0)}`;
}

/** The price buyers see the plan listed at ("from …" for a plan they compose), and whether it is saved yet. */
function listedPriceNote(ctx: RequestContext, listed: ListedPrice | null, previewed: boolean): SafeHtml | '' {
  if (listed === null) return '';
  const { t, locale } = ctx;
  const price = listedPriceText(listed, t, locale);
  return html`<p class="card" data-testid="plan-listed-price">${t('planForm.listed', { price })}${previewed ? html` <small class="muted">${t('planForm.previewNote')}</small>` : ''}</p>`;
}

/**
 * Subscribers keep the terms they bought (price, period, extension and renewal rules); an edit reaches
 * them only when the owner moves them here, which the engine audits per subscription.
 */
function olderTermsSection(ctx: RequestContext, planId: string, count: number): SafeHtml {
  const { t, locale } = ctx;
  return html`<section class="card" data-testid="older-terms">
  <h2>${t('adminOps.plans.termsTitle')}</h2>
  <p>${t('adminOps.plans.termsIntro')}</p>
  <p data-testid="older-terms-count">${t('adminOps.plans.olderTerms', { count: formatNumber(count, locale) })}</p>
  ${
    count === 0
      ? ''
      : html`<form method="post" action="/admin/plans/${planId}/apply-terms">${csrfField(ctx)}
    <button type="submit" class="secondary" data-testid="apply-terms">${t('adminOps.plans.applyTerms')}</button></form>`
  }
</section>`;
}
