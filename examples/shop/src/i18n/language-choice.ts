import { LOCALE_TABLE, LOCALES, type Locale } from './locales.js';

/**
 * The shop's language for a language code as Telegram (`language_code`: `ru`, `zh-hans`) or a browser
 * (`zh-CN`, `fa-IR`, `en-US`) gives it: its primary subtag, matched against the shop's languages and then their
 * `alsoFor` lists (Belarusian → Russian). `null` when the shop has nothing for it: callers choose their default.
 * The bot and the Mini App sign-in both start a new buyer in this language.
 */
export function localeOfLanguageCode(code: string | null | undefined): Locale | null {
  if (typeof code !== 'string') return null;
  const primary = code.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (!/^[a-z]{2,3}$/.test(primary)) return null;
  const own = LOCALES.find((locale) => locale === primary);
  if (own !== undefined) return own;
  return LOCALES.find((locale) => (LOCALE_TABLE[locale].alsoFor as readonly string[]).includes(primary)) ?? null;
}

/** At most this many ranges of an `Accept-Language` header are read (a browser sends a handful). */
const MAX_RANGES = 20;

/**
 * The shop's language a browser prefers, from its `Accept-Language` header (`ru-RU,ru;q=0.9,en;q=0.8`): its ranges
 * by falling weight (`q`, 1 when absent; ties keep the header's order, `q=0` is a refusal), the first the shop
 * speaks. `null` when none is: callers choose their default.
 */
export function localeOfAcceptLanguage(header: string | null | undefined): Locale | null {
  if (typeof header !== 'string' || header.length === 0) return null;
  const ranges = header
    .split(',')
    .slice(0, MAX_RANGES)
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';').map((p) => p.trim());
      const q = params.map((p) => /^q=([01](?:\.\d{0,3})?)$/i.exec(p)).find((m) => m !== null);
      return { tag, weight: q === undefined ? 1 : Number(q?.[1]), index };
    })
    .filter((range) => range.weight > 0 && range.tag !== '*')
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranges) {
    const locale = localeOfLanguageCode(tag);
    if (locale !== null) return locale;
  }
  return null;
}
