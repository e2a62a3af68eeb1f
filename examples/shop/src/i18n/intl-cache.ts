/**
 * Intl formatters, built once per locale and options. Building one looks up ICU data and costs tens of
 * microseconds; a page of orders formats hundreds of dates and amounts. Formatters are immutable, so one
 * can serve every request. The keys come from the shop's own locales, currencies and configured zone; the
 * bound only guards against a caller that passes something unbounded.
 */
const MAX_ENTRIES = 512;
const formatters = new Map<string, unknown>();

function cached<T>(key: string, make: () => T): T {
  const found = formatters.get(key);
  if (found !== undefined) return found as T;
  const made = make();
  if (formatters.size >= MAX_ENTRIES) formatters.clear();
  formatters.set(key, made);
  return made;
}

/** A shared `Intl.DateTimeFormat` for `locale` and `options`. */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached(`dt|${locale}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));
}

/** A shared `Intl.NumberFormat` for `locale` and `options`. */
export function numberFormat(locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  return cached(`nf|${locale}|${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale, options));
}

/** A shared `Intl.DisplayNames` for `locale`; throws, as the constructor does, for a locale ICU refuses. */
export function displayNames(locale: string, type: Intl.DisplayNamesType): Intl.DisplayNames {
  return cached(`dn|${locale}|${type}`, () => new Intl.DisplayNames([locale], { type }));
}
