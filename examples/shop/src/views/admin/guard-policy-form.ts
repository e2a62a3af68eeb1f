import type { GuardStep } from '@panelkit/sdk/guard';
import type { FieldErrors } from '../../app/input/forms.js';
import {
  GUARD_FORM_STEPS,
  GUARD_NUMBER_FIELDS,
  type GuardNumberField,
  type GuardPolicyForm,
  guardFieldRange,
} from '../../app/guard/guard-form.js';
import type { RequestContext } from '../../http/context.js';
import { formatNumber } from '../../i18n/format.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { checkField } from './widgets.js';

/** Each number field's label key. */
const LABELS: Record<GuardNumberField, string> = {
  windowHours: 'guard.policy.windowHours',
  overReadings: 'guard.policy.overReadings',
  spanHours: 'guard.policy.spanHours',
  overFraction: 'guard.policy.overFraction',
  slackRegistry: 'guard.policy.slackRegistry',
  slackLive: 'guard.policy.slackLive',
  slackWindowed: 'guard.policy.slackWindowed',
  absoluteThreshold: 'guard.policy.absoluteThreshold',
  limitDevices: 'guard.policy.limitDevices',
  liftAfterCleanHours: 'guard.policy.liftAfterCleanHours',
};

/** Each step's name. */
export const GUARD_STEP_NAMES: Record<GuardStep | 'watching', string> = {
  watching: 'guard.steps.watching',
  warn: 'guard.steps.warn',
  limit: 'guard.steps.limit',
  suspend: 'guard.steps.suspend',
};

/** A field's error in the viewer's language (the form keeps message keys). */
function translated(ctx: RequestContext, errors: FieldErrors | undefined): FieldErrors | undefined {
  if (errors === undefined) return undefined;
  return Object.fromEntries(Object.entries(errors).map(([name, key]) => [name, ctx.t(key)]));
}

/** The range the SDK takes for a field, as its hint. */
function rangeHint(ctx: RequestContext, name: GuardNumberField | 'graceHours'): string {
  const { min, max, whole } = guardFieldRange(name);
  const range = { min: formatNumber(min, ctx.locale), max: formatNumber(max, ctx.locale) };
  return ctx.t(whole ? 'guard.policy.wholeRange' : 'guard.policy.range', range);
}

/**
 * The owner's guard policy form: on or off, the window rule (W, K, S, p), slack per source, the absolute threshold and
 * the limit step's devices, the steps in their one order with their grace, the automatic lift, and exempt plans. A
 * refused value is shown as typed with its message on its field.
 */
export function guardPolicyForm(
  ctx: RequestContext,
  form: GuardPolicyForm,
  version: number,
  plans: readonly { id: string; name: string }[],
  keyedErrors?: FieldErrors,
): SafeHtml {
  const { t } = ctx;
  const errors = translated(ctx, keyedErrors);
  const number = (name: GuardNumberField) =>
    field({
      name,
      label: t(LABELS[name]),
      value: form.numbers[name],
      errors,
      hint: name === 'liftAfterCleanHours' ? `${rangeHint(ctx, name)} ${t('guard.policy.emptyNever')}` : rangeHint(ctx, name),
      attrs: html`dir="ltr" inputmode="decimal" maxlength="20"`,
    });
  const step = (s: GuardStep) => html`<fieldset class="stack" data-testid="guard-step-${s}">
  ${checkField({ name: `step_${s}`, label: t(GUARD_STEP_NAMES[s]), checked: form.steps[s].on })}
  ${field({ name: `grace_${s}`, label: t('guard.policy.graceHours'), value: form.steps[s].grace, errors, hint: rangeHint(ctx, 'graceHours'), attrs: html`dir="ltr" inputmode="decimal" maxlength="20"` })}
</fieldset>`;
  const stepsError = errors?.['steps'];
  return html`<form method="post" action="/admin/guard/policy" class="stack" novalidate data-testid="guard-policy-form">
  ${csrfField(ctx)}${formError(errors)}
  <input type="hidden" name="version" value="${version}">
  ${checkField({ name: 'enabled', label: t('guard.policy.enabled'), checked: form.enabled, hint: t('guard.policy.enabledHint') })}
  <p class="muted">${t('guard.policy.ruleHelp')}</p>
  ${GUARD_NUMBER_FIELDS.filter((n) => n !== 'liftAfterCleanHours').map(number)}
  <h3>${t('guard.policy.stepsTitle')}</h3>
  <p class="muted">${t('guard.policy.stepsHelp')}</p>
  ${stepsError ? html`<p class="field-error" data-testid="guard-steps-error">${stepsError}</p>` : ''}
  ${GUARD_FORM_STEPS.map(step)}
  ${number('liftAfterCleanHours')}
  <fieldset data-testid="guard-exempt-plans"><legend>${t('guard.policy.exemptPlans')}</legend>
    ${errors?.['exemptPlans'] ? html`<p class="field-error">${errors['exemptPlans']}</p>` : ''}
    ${plans.map((p) => html`<label class="check"><input type="checkbox" name="exemptPlans" value="${p.id}" ${form.exemptPlans.includes(p.id) ? html`checked` : ''}> ${p.name}</label>`)}
  </fieldset>
  <button type="submit">${t('guard.policy.save')}</button>
</form>`;
}
