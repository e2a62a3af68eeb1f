/** What the shop needs to know about one of its languages besides its catalog (`locales/<code>/`). */
export interface LocaleInfo {
  /** Its own name, as the language switch shows it to a reader of that language. */
  readonly name: string;
  /** The BCP 47 tag Intl formats numbers, plural forms and dates with (digits included). */
  readonly intl: string;
  readonly direction: 'ltr' | 'rtl';
  /**
   * The calendar its readers read and type dates in. `persian` (Solar Hijri) draws dates with ICU's Persian calendar
   * and has date fields take a typed Jalali day instead of the browser's (Gregorian) date picker.
   */
  readonly calendar: 'gregory' | 'persian';
  /** Between the items of a short list ("Germany, Netherlands"). */
  readonly listSeparator: string;
  /**
   * Other language codes (Telegram's `language_code`, a browser's `Accept-Language`) whose readers are served this
   * language when the shop has none of their own.
   */
  readonly alsoFor: readonly string[];
}

/**
 * The shop's languages. Adding one is a catalog folder (`locales/<code>/`, every area file) and one line here.
 * Russian also serves Belarusian, Kazakh and Kyrgyz readers (Russian is an official language of those countries);
 * Ukrainian readers are not assumed to want Russian and get English until the shop has a Ukrainian catalog.
 * Chinese is Simplified; a Traditional-script reader (zh-TW, zh-Hant) is served it too, as closer than English.
 */
export const LOCALE_TABLE = {
  en: { name: 'English', intl: 'en-GB', direction: 'ltr', calendar: 'gregory', listSeparator: ', ', alsoFor: [] },
  fa: { name: 'فارسی', intl: 'fa-IR', direction: 'rtl', calendar: 'persian', listSeparator: '، ', alsoFor: [] },
  ru: { name: 'Русский', intl: 'ru-RU', direction: 'ltr', calendar: 'gregory', listSeparator: ', ', alsoFor: ['be', 'kk', 'ky'] },
  zh: { name: '简体中文', intl: 'zh-CN', direction: 'ltr', calendar: 'gregory', listSeparator: '、', alsoFor: [] },
} as const satisfies Record<string, LocaleInfo>;

/** A language the shop speaks: a key of {@link LOCALE_TABLE}. */
export type Locale = keyof typeof LOCALE_TABLE;

/** Every language the shop speaks, English (the fallback of every catalog) first. */
export const LOCALES = Object.keys(LOCALE_TABLE) as readonly Locale[];

/** Whether `value` is one of the shop's languages. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && Object.hasOwn(LOCALE_TABLE, value);
}

/** The table's line for `locale`. */
export function localeInfo(locale: Locale): LocaleInfo {
  return LOCALE_TABLE[locale];
}

/** The writing direction of `locale`, for `<html dir>` and isolating mixed text. */
export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return LOCALE_TABLE[locale].direction;
}

/** The Intl tag dates are drawn with: the locale's own, with its calendar when that is not Gregorian. */
export function intlDateLocale(locale: Locale): string {
  const { intl, calendar } = LOCALE_TABLE[locale];
  return calendar === 'gregory' ? intl : `${intl}-u-ca-${calendar}`;
}

/** Whether readers of `locale` read and type Jalali (Solar Hijri) dates. */
export function usesJalali(locale: Locale): boolean {
  return LOCALE_TABLE[locale].calendar === 'persian';
}
