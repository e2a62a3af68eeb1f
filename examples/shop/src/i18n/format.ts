import type { Money } from '@panelkit/sdk';
import { directionOf, intlDateLocale, localeInfo, type Locale } from './locales.js';
import { minorDigits } from '@panelkit/payment-providers';
import { dateTimeFormat, numberFormat } from './intl-cache.js';

// How many minor units a currency has (USD 2, IRR 0), and minor units from what a buyer typed in major units
// ("12.50" USD → 1250; `null` when it does not fit): the payment providers' definitions, the shop's names.
export { minorDigits, toMinorUnits as parseMajorAmount } from '@panelkit/payment-providers';

/**
 * A date and time in the shop's zone, in the locale's calendar and digits: "25 Nov 2026, 08:02",
 * "25 нояб. 2026 г., 08:02", "2026年11月25日 08:02", Jalali with Persian digits in Farsi.
 */
export function formatDateTime(date: Date, locale: Locale, timeZone: string): string {
  return dateTimeFormat(intlDateLocale(locale), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
}

/** A day in the shop's zone, spelt out in the locale's calendar ("25 November 2026", "۴ آذر ۱۴۰۵"). */
export function formatDate(date: Date, locale: Locale, timeZone: string): string {
  return dateTimeFormat(intlDateLocale(locale), { dateStyle: 'long', timeZone }).format(date);
}

/** An amount of money in the locale's digits and symbol placement ("$5.00", "5,00 $"). */
export function formatMoney(money: Money, locale: Locale): string {
  const value = money.amount / 10 ** minorDigits(money.currency);
  // `narrowSymbol`: "$5.00", not en-GB's "US$5.00".
  return numberFormat(localeInfo(locale).intl, {
    style: 'currency',
    currency: money.currency,
    currencyDisplay: 'narrowSymbol',
  }).format(value);
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * Traffic in binary units, labelled as such (GiB, never "GB"), with the locale's digits. In
 * right-to-left text the amount is isolated (U+2068…U+2069), so "۵۰ GiB" is not reordered.
 */
export function formatBytes(bytes: number, locale: Locale): string {
  const number = (value: number, digits: number) => numberFormat(localeInfo(locale).intl, { maximumFractionDigits: digits }).format(value);
  const text = bytes >= GiB ? `${number(bytes / GiB, 2)} GiB` : `${number(bytes / MiB, 1)} MiB`;
  return directionOf(locale) === 'rtl' ? `\u2068${text}\u2069` : text;
}

/** A number in the locale's digits and grouping ("1,234", "۱٬۲۳۴", "1 234"). */
export function formatNumber(value: number, locale: Locale): string {
  return numberFormat(localeInfo(locale).intl).format(value);
}
