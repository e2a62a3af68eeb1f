import type { Money } from '@panelkit/sdk';
import type { Locale } from './translate.js';
import { dateTimeFormat, numberFormat } from './intl-cache.js';

const INTL_LOCALE: Record<Locale, string> = {
  en: 'en-GB',
  // The Persian (Solar Hijri) calendar with Persian digits: the calendar Iranian buyers read.
  fa: 'fa-IR-u-ca-persian',
};

/** A date and time in the shop's zone and the locale's calendar: Gregorian for English, Jalali for Farsi. */
export function formatDateTime(date: Date, locale: Locale, timeZone: string): string {
  return dateTimeFormat(INTL_LOCALE[locale], { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
}

export function formatDate(date: Date, locale: Locale, timeZone: string): string {
  return dateTimeFormat(INTL_LOCALE[locale], { dateStyle: 'long', timeZone }).format(date);
}

/** How many minor units a currency has (USD 2, IRR 0). */
export function minorDigits(currency: string): number {
  return numberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(money: Money, locale: Locale): string {
  const value = money.amount / 10 ** minorDigits(money.currency);
  // `narrowSymbol`: "$5.00", not en-GB's "US$5.00".
  return numberFormat(INTL_LOCALE[locale], {
    style: 'currency',
    currency: money.currency,
    currencyDisplay: 'narrowSymbol',
  }).format(value);
}

/** Minor units from what a buyer typed in major units ("12.50" USD → 1250); `null` when it does not fit the currency. */
export function parseMajorAmount(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
  if (match === null) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * Traffic in binary units, labelled as such (GiB, never "GB"), with the locale's digits. In
 * right-to-left text the amount is isolated (U+2068…U+2069), so "۵۰ GiB" is not reordered.
 */
export function formatBytes(bytes: number, locale: Locale): string {
  const number = (value: number, digits: number) => numberFormat(INTL_LOCALE[locale], { maximumFractionDigits: digits }).format(value);
  const text = bytes >= GiB ? `${number(bytes / GiB, 2)} GiB` : `${number(bytes / MiB, 1)} MiB`;
  return locale === 'fa' ? `\u2068${text}\u2069` : text;
}

export function formatNumber(value: number, locale: Locale): string {
  return numberFormat(INTL_LOCALE[locale]).format(value);
}
