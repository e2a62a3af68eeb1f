import { formatNumber } from './format.js';
import type { Locale, Translate } from './translate.js';

/**
 * What a payer calls the `index`-th (from 0) member of their family plan: the name the shop has for them, else
 * "Member n" in their order of joining. Never anything of the member's link or full e-mail.
 */
export function memberName(member: { displayName: string | null }, index: number, t: Translate, locale: Locale): string {
  return member.displayName ?? t('familyNames.fallback', { n: formatNumber(index + 1, locale) });
}
