import type { TextsByLocale } from '../../db/storefront-brands.js';
import type { Locale } from '../../i18n/translate.js';

/** A storefront's own names for plans (`StorefrontBrand.planNames`): by plan id, per language. */
export type BrandPlanNames = Readonly<Record<string, TextsByLocale>>;

/** A storefront's text in the buyer's language, else in English, else `null` (the shop's own text is used). */
export function brandText(texts: TextsByLocale | undefined, locale: Locale): string | null {
  return texts?.[locale] ?? texts?.['en'] ?? null;
}

/**
 * A plan's name as a storefront's buyer sees it, in its bot and on its web pages alike: the storefront's own name for
 * it in the buyer's language (else in English), else `name` (the shop's name for it in that language). Without
 * `names` (the owner's shop) always `name`.
 */
export function brandPlanName(names: BrandPlanNames | null | undefined, planId: string, locale: Locale, name: string): string {
  return brandText(names?.[planId], locale) ?? name;
}

/** The plans with their names as a storefront's buyer sees them (`brandPlanName`); the same plans without `names`. */
export function withBrandPlanNames<P extends { id: string; name: string }>(
  plans: readonly P[],
  names: BrandPlanNames | null | undefined,
  locale: Locale,
): P[] {
  if (names == null) return [...plans];
  return plans.map((plan) => ({ ...plan, name: brandPlanName(names, plan.id, locale, plan.name) }));
}
