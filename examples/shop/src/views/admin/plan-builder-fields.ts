import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { BUILDER_PARTS, partField, type BuilderFormValues, type PartField, type PartName } from '../../app/plans/plan-builder-form.js';
import { field } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

/** Each part's legend and what one unit is. */
const PART_LEGENDS: Record<PartName, string> = {
  Locations: 'planForm.builder.locations',
  Devices: 'planForm.builder.devices',
  Traffic: 'planForm.builder.traffic',
  Days: 'planForm.builder.days',
};

/** Each part's fields: its name, label, input mode and hint. */
const PART_FIELDS: ReadonlyArray<readonly [PartField, string, SafeHtml, string | null]> = [
  ['Price', 'planForm.builder.unitPrice', html`inputmode="decimal" dir="ltr"`, null],
  ['Min', 'planForm.builder.min', html`inputmode="numeric"`, null],
  ['Max', 'planForm.builder.max', html`inputmode="numeric"`, null],
  ['Step', 'planForm.builder.step', html`inputmode="numeric"`, 'planForm.builder.stepHint'],
];

/**
 * The plan builder's fields: a base price (empty: a fixed plan) and, per part the buyer may choose, its unit price,
 * least, most and step; the locations part also its options (location tags).
 */
export function planBuilderFieldset(ctx: RequestContext, values: BuilderFormValues, currency: string, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return html`<fieldset data-testid="plan-builder">
  <legend>${t('planForm.builder.legend')}</legend>
  <small class="muted">${t('planForm.builder.intro')}</small>
  ${field({ name: 'builderBasePrice', label: t('planForm.builder.basePrice', { currency }), value: values.builderBasePrice, errors, attrs: html`inputmode="decimal" dir="ltr"` })}
  ${BUILDER_PARTS.map(
    ({ name: part }) => html`<fieldset data-testid="plan-builder-${part.toLowerCase()}">
    <legend>${t(PART_LEGENDS[part])}</legend>
    ${PART_FIELDS.map(([f, label, attrs, hint]) => {
      const name = partField(part, f);
      return field({ name, label: t(label, { currency }), value: values[name], errors, attrs, ...(hint ? { hint: t(hint) } : {}) });
    })}
    ${
      part === 'Locations'
        ? field({
            name: 'builderLocationsOptions',
            label: t('planForm.builder.options'),
            value: values.builderLocationsOptions,
            errors,
            hint: t('planForm.builder.optionsHint'),
            attrs: html`dir="ltr"`,
          })
        : ''
    }
  </fieldset>`,
  )}
</fieldset>`;
}
