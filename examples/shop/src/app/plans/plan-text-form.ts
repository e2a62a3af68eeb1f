import { LOCALES } from '../../i18n/translate.js';
import type { Translate } from '../../i18n/translate.js';
import type { PlanTexts } from '../../db/plan-texts.js';
import type { Locale } from '../../i18n/translate.js';

/** The plan form's per-language texts as typed: `name` and `description` for each of the shop's languages. */
export type PlanTextValues = Record<Locale, { name: string; description: string }>;

const NAME_MAX = 200;
const DESCRIPTION_MAX = 2000;

/** The per-language fields as the form shows them (empty where a language has no texts). */
export function planTextValues(texts: PlanTexts): PlanTextValues {
  return Object.fromEntries(
    LOCALES.map((l) => [l, { name: texts[l]?.name ?? '', description: texts[l]?.description ?? '' }]),
  ) as PlanTextValues;
}

/** The submitted per-language fields, to show again with the errors. */
export function echoPlanTextValues(body: unknown): PlanTextValues {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const s = (name: string) => (typeof b[name] === 'string' ? (b[name] as string) : '');
  return Object.fromEntries(LOCALES.map((l) => [l, { name: s(`name_${l}`), description: s(`description_${l}`) }])) as PlanTextValues;
}

/**
 * Reads `name_<lang>` and `description_<lang>`: a language with a name is saved (its description optional), one with
 * neither falls back to the plan's own texts, a description without a name is refused, as are over-long texts.
 */
export function planTextsFrom(body: unknown, t: Translate): { ok: true; texts: PlanTexts } | { ok: false; fields: Record<string, string> } {
  const values = echoPlanTextValues(body);
  const texts: PlanTexts = {};
  const fields: Record<string, string> = {};
  for (const l of LOCALES) {
    const name = values[l].name.trim();
    const description = values[l].description.trim();
    if (name.length > NAME_MAX) fields[`name_${l}`] = t('forms.tooLong', { max: NAME_MAX });
    else if (description.length > DESCRIPTION_MAX) fields[`description_${l}`] = t('forms.tooLong', { max: DESCRIPTION_MAX });
    else if (name === '' && description !== '') fields[`name_${l}`] = t('adminOps.plans.nameNeeded');
    else if (name !== '') texts[l] = { name, description: description === '' ? null : description };
  }
  return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, texts };
}
