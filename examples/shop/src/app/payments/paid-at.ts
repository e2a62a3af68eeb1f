import { jalaliOf, jalaliToGregorian } from '../../i18n/jalali.js';
import type { Locale } from '../../i18n/translate.js';
import { asciiDigits } from '../input/digits.js';
import { instantToZoned, zonedToInstant } from '../input/zoned-time.js';
import { dateTimeFormat } from '../../i18n/intl-cache.js';
import { usesJalali } from '../../i18n/locales.js';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The instant a receipt's "when you paid" names, read in the shop's time zone: a `datetime-local` value
 * (`2026-03-01T14:30`, what the English form and the API send), or a date and time typed as
 * `year/month/day hour:minute` (dashes also accepted, Persian or Arabic digits too). A year before 1700 is
 * Jalali (`1404/12/10 14:30`, what the Farsi form asks for), a later one Gregorian. `null` when it names no
 * real moment.
 */
export function parsePaidAt(text: string, timeZone: string): Date | null {
  const value = asciiDigits(text).trim();
  if (value.includes('T')) return zonedToInstant(value, timeZone);
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})[ ,،]+(\d{1,2}):(\d{2})$/.exec(value);
  if (m === null) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const gregorian = year < 1700 ? jalaliToGregorian({ year, month, day }) : { year, month, day };
  if (gregorian === null) return null;
  return zonedToInstant(`${gregorian.year}-${pad(gregorian.month)}-${pad(gregorian.day)}T${pad(hour)}:${pad(minute)}`, timeZone);
}

/** An instant as the Farsi form writes it: the Jalali `year/month/day hour:minute` in the shop's zone (ASCII digits). */
export function jalaliField(instant: Date, timeZone: string): string {
  const local = instantToZoned(instant, timeZone); // YYYY-MM-DDTHH:MM on the zone's wall clock
  const [date, time] = local.split('T') as [string, string];
  const j = jalaliOf(Date.parse(`${date}T00:00:00Z`));
  return `${j.year}/${pad(j.month)}/${pad(j.day)} ${time}`;
}

/** How the receipt form asks for the time in `locale`: the browser's date picker (Gregorian) or typed Jalali. */
export function paidAtInput(locale: Locale): 'datetime-local' | 'jalali-text' {
  return usesJalali(locale) ? 'jalali-text' : 'datetime-local';
}

/** The zone's name as a buyer reads it ("Iran Standard Time", "وقت عادی ایران"), for the field's hint. */
export function zoneName(timeZone: string, locale: Locale, at: Date): string {
  const parts = dateTimeFormat(locale, { timeZone, timeZoneName: 'long' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}
