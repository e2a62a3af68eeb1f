import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { directionOf, LOCALES, type Locale } from '../../i18n/translate.js';
import { field } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { textareaField } from './widgets.js';
import { displayNames } from '../../i18n/intl-cache.js';
import type { PlanTextValues } from '../../app/plans/plan-text-form.js';

/** The language's own name in the admin's language ("Farsi", "فارسی"). */
function languageName(of: Locale, ctxLocale: Locale): string {
  try {
    return displayNames(ctxLocale, 'language').of(of) ?? of;
  } catch {
    return of;
  }
}

/** A name and a description per language (`name_fa`, `description_fa`, …); empty ones fall back to the plan's own. */
export function planTextsFieldset(ctx: RequestContext, values: PlanTextValues, errors?: FieldErrors): SafeHtml {
  const { t, locale } = ctx;
  return html`<fieldset data-testid="plan-texts">
  <legend>${t('adminOps.plans.texts')}</legend>
  <small class="muted">${t('adminOps.plans.textsHint')}</small>
  ${LOCALES.map((l) => {
    const language = languageName(l, locale);
    const dir = directionOf(l);
    return html`${field({ name: `name_${l}`, label: t('adminOps.plans.nameIn', { language }), value: values[l].name, errors, attrs: html`lang="${l}" dir="${dir}"` })}
  ${textareaField({ name: `description_${l}`, label: t('adminOps.plans.descriptionIn', { language }), value: values[l].description, errors })}`;
  })}
</fieldset>`;
}
