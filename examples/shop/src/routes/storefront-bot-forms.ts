import type { StorefrontBrand } from '../db/storefront-brands.js';
import { LOCALES } from '../i18n/locales.js';

/** A form's text field (at most `max` characters kept), `''` when absent or not text. */
export function formText(body: unknown, name: string, max: number): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/**
 * The brand form as `setStorefrontBrand` takes it: the shop name, the support contact, and a welcome per language
 * (`welcome_<locale>`; a blank one is left out, so the buyer sees the shop's own); the form has no plan names, so the `current` brand's are kept. Lengths are checked there.
 */
export function brandFromForm(body: unknown, current: StorefrontBrand | null): Record<string, unknown> {
  const welcome: Record<string, string> = {};
  for (const locale of LOCALES) {
    const typed = formText(body, `welcome_${locale}`, 2000).trim();
    if (typed !== '') welcome[locale] = typed;
  }
  return {
    shopName: formText(body, 'shopName', 200),
    support: formText(body, 'support', 400),
    welcome,
    planNames: current?.planNames ?? {},
  };
}
