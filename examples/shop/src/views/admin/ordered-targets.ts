import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { formatNumber } from '../../i18n/format.js';
import { html, type SafeHtml } from '../html.js';

/** How many ordered choices the form offers beyond those already chosen (and never more than there are targets). */
const SPARE_CHOICES = 2;

/**
 * A plan's preferred targets as numbered choices ("Choice 1", "Choice 2", …), one select each: the order is what placement
 * tries, and it survives a form post without JavaScript (repeated fields keep their order). Empty choices are ignored.
 */
export function orderedTargetsField(
  ctx: RequestContext,
  chosen: readonly string[],
  choices: ReadonlyArray<readonly [string, string]>,
  errors?: FieldErrors,
): SafeHtml {
  const { t, locale } = ctx;
  const count = Math.min(choices.length, chosen.length + SPARE_CHOICES);
  const error = errors?.['preferredTargetIds'];
  return html`<fieldset class="ordered-targets" data-testid="preferred-targets" ${error ? html`aria-invalid="true" aria-describedby="f-preferredTargetIds-error"` : ''}>
  <legend>${t('adminOps.plans.preferredTargets')}</legend>
  <small class="muted">${t('adminOps.plans.preferredTargetsHint')}</small>
  <ol>${Array.from({ length: count }, (_, i) => {
    const value = chosen[i] ?? '';
    const label = t('adminOps.plans.choice', { n: formatNumber(i + 1, locale) });
    return html`<li><label>${label}
      <select name="preferredTargetIds" data-testid="preferred-target-${i + 1}" aria-label="${label}">
        <option value="" ${value === '' ? html`selected` : ''}>${t('adminOps.plans.noTarget')}</option>
        ${choices.map(([id, name]) => html`<option value="${id}" ${id === value ? html`selected` : ''}>${name}</option>`)}
      </select></label></li>`;
  })}</ol>
  ${error ? html`<p class="field-error" id="f-preferredTargetIds-error">${error}</p>` : ''}
</fieldset>`;
}
