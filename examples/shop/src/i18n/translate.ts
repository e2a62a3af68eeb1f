import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LOCALES = ['en', 'fa'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'fa' ? 'rtl' : 'ltr';
}

const LOCALES_DIR = resolve(import.meta.dirname, '../../locales');

type Catalog = ReadonlyMap<string, string>;

/** `locales/<lang>/<area>.json` → keys `<area>.<path>`, e.g. `auth.signIn.title`. */
function flatten(prefix: string, value: unknown, into: Map<string, string>): void {
  if (typeof value === 'string') into.set(prefix, value);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) flatten(`${prefix}.${key}`, child, into);
  }
}

export function loadCatalog(locale: Locale, dir = LOCALES_DIR): Catalog {
  const catalog = new Map<string, string>();
  for (const file of readdirSync(join(dir, locale))
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    flatten(file.slice(0, -'.json'.length), JSON.parse(readFileSync(join(dir, locale, file), 'utf8')), catalog);
  }
  return catalog;
}

const catalogs = new Map<Locale, Catalog>(LOCALES.map((l) => [l, loadCatalog(l)]));

export type TranslateParams = Record<string, string | number>;
export type Translate = (key: string, params?: TranslateParams) => string;

const INTL_NUMBERS: Record<Locale, string> = { en: 'en-GB', fa: 'fa-IR' };

/**
 * A translator for one locale. `{name}` in a message is replaced by `params.name`; numbers are
 * written with the locale's digits. A message with plural forms (`{"one": …, "other": …}` in the
 * locale file) is chosen by `params.count` under the locale's plural rules. A key missing from the
 * locale falls back to English, then to the key itself (a test keeps both complete).
 */
export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (t === undefined) {
    t = makeTranslator(locale);
    translators.set(locale, t);
  }
  return t;
}

/** One translator per locale: every request and message asks for one, and building one builds Intl rules. */
const translators = new Map<Locale, Translate>();

function makeTranslator(locale: Locale): Translate {
  const own = catalogs.get(locale) as Catalog;
  const english = catalogs.get('en') as Catalog;
  const plurals = new Intl.PluralRules(INTL_NUMBERS[locale]);
  const numbers = new Intl.NumberFormat(INTL_NUMBERS[locale]);
  const lookup = (key: string) => own.get(key) ?? english.get(key);
  return (key, params) => {
    const count = params?.['count'];
    const plural = typeof count === 'number' ? (lookup(`${key}.${plurals.select(count)}`) ?? lookup(`${key}.other`)) : undefined;
    const message = plural ?? lookup(key) ?? key;
    if (params === undefined) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      return value === undefined ? whole : typeof value === 'number' ? numbers.format(value) : value;
    });
  };
}

/** Whether a message key exists (zod issues carry keys; anything else is shown as written). */
export function hasMessage(key: string): boolean {
  return (catalogs.get('en') as Catalog).has(key);
}
