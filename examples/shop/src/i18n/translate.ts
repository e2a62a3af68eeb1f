import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LOCALE_TABLE, LOCALES, type Locale } from './locales.js';

export { directionOf, isLocale, LOCALES, type Locale } from './locales.js';

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

/**
 * A translator for one locale. `{name}` in a message is replaced by `params.name`; numbers are
 * written with the locale's digits. A message with plural forms (`{"one": …, "few": …, "other": …}` in
 * the locale file: exactly the categories `Intl.PluralRules` has for the locale, so Russian carries
 * one/few/many/other and Chinese only other) is chosen by `params.count` under the locale's plural
 * rules. A key missing from the locale falls back to English, then to the key itself (a test keeps
 * every catalog complete).
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
  const plurals = pluralRules(locale);
  const numbers = new Intl.NumberFormat(LOCALE_TABLE[locale].intl);
  const lookup = (key: string) => own.get(key) ?? english.get(key);
  // A form the locale's rules choose is the locale's own (its catalog carries exactly those); English is asked
  // for the key as a whole, by English's rules, only when the locale lacks it.
  const plural = (key: string, count: number) =>
    own.get(`${key}.${plurals.select(count)}`) ?? own.get(`${key}.other`) ?? englishPlural(key, count);
  return (key, params) => {
    const count = params?.['count'];
    const chosen = typeof count === 'number' ? plural(key, count) : undefined;
    const message = chosen ?? lookup(key) ?? key;
    if (params === undefined) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      return value === undefined ? whole : typeof value === 'number' ? numbers.format(value) : value;
    });
  };
}

/** The locale's plural rules (`one`, `few`, `many`, `other`… for a count), one object per locale. */
export function pluralRules(locale: Locale): Intl.PluralRules {
  let rules = pluralRuleSets.get(locale);
  if (rules === undefined) {
    rules = new Intl.PluralRules(LOCALE_TABLE[locale].intl);
    pluralRuleSets.set(locale, rules);
  }
  return rules;
}

const pluralRuleSets = new Map<Locale, Intl.PluralRules>();

function englishPlural(key: string, count: number): string | undefined {
  const english = catalogs.get('en') as Catalog;
  return english.get(`${key}.${pluralRules('en').select(count)}`) ?? english.get(`${key}.other`);
}

/** Whether a message key exists (zod issues carry keys; anything else is shown as written). */
export function hasMessage(key: string): boolean {
  return (catalogs.get('en') as Catalog).has(key);
}
