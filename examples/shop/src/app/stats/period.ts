import { jalaliOf, jalaliToGregorian, type CalendarDate } from '../../i18n/jalali.js';
import type { Locale } from '../../i18n/translate.js';
import { asciiDigits } from '../input/digits.js';
import { instantToZoned, zonedToInstant } from '../input/zoned-time.js';
import { usesJalali } from '../../i18n/locales.js';

/** One bar of a chart: the instants `[start, end)` and the shop-zone calendar day it starts on. */
export interface Bucket {
  start: Date;
  end: Date;
  /** The bucket's first day on the shop's wall clock (Gregorian), for labels. */
  day: CalendarDate;
}

/** A chosen period of whole days in the shop's time zone, cut into buckets of one day or one week. */
export interface Period {
  /** First day (inclusive) and last day (inclusive), Gregorian, on the shop's wall clock. */
  from: CalendarDate;
  to: CalendarDate;
  /** Days per bucket: 1 up to {@link DAILY_UP_TO_DAYS} days, 7 beyond. */
  bucketDays: 1 | 7;
  buckets: Bucket[];
}

/** The default period: the last 30 days, today included. */
export const DEFAULT_PERIOD_DAYS = 30;
/** Periods up to this many days are drawn a bar a day; longer ones a bar a week. */
export const DAILY_UP_TO_DAYS = 92;
/** The longest period the page draws (two years). */
export const MAX_PERIOD_DAYS = 731;

const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');
const dayNumber = (d: CalendarDate) => Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
const fromDayNumber = (n: number): CalendarDate => {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};

/** The instant a wall-clock day starts at in a time zone. */
function startOfDay(day: CalendarDate, timeZone: string): Date {
  return zonedToInstant(`${day.year}-${pad(day.month)}-${pad(day.day)}T00:00`, timeZone)!;
}

/** Today's date on the shop's wall clock. */
export function todayIn(now: Date, timeZone: string): CalendarDate {
  const [y, m, d] = instantToZoned(now, timeZone).slice(0, 10).split('-').map(Number) as [number, number, number];
  return { year: y, month: m, day: d };
}

/**
 * A day typed into the period form: `2026-03-01` (the English date picker) or a Jalali `1404/12/10` (the Farsi
 * form; Persian or Arabic digits too, `-` or `/`). A year before 1700 is Jalali. `null` when it names no real day.
 */
export function parseDay(text: string): CalendarDate | null {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(asciiDigits(text).trim());
  if (m === null) return null;
  const [year, month, day] = m.slice(1).map(Number) as [number, number, number];
  if (year < 1700) return jalaliToGregorian({ year, month, day });
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return { year, month, day };
}

/** A day as the form shows it back: `2026-03-01`, or Jalali `1404/12/10` in a Jalali locale (Farsi; ASCII digits). */
export function dayField(day: CalendarDate, locale: Locale): string {
  if (!usesJalali(locale)) return `${day.year}-${pad(day.month)}-${pad(day.day)}`;
  const j = jalaliOf(Date.UTC(day.year, day.month - 1, day.day));
  return `${j.year}/${pad(j.month)}/${pad(j.day)}`;
}

/** Why a typed period was refused (a translation key under `adminStats.errors`). */
export type PeriodProblem = 'badFrom' | 'badTo' | 'reversed' | 'tooLong';

/**
 * The period `from`..`to` (both days included) as buckets in the shop's zone. Missing ends default to the last
 * {@link DEFAULT_PERIOD_DAYS} days up to today; an end after today is allowed (its bars are empty).
 */
export function periodOf(
  input: { from?: string | undefined; to?: string | undefined },
  now: Date,
  timeZone: string,
): { ok: true; period: Period } | { ok: false; problem: PeriodProblem; period: Period } {
  const today = todayIn(now, timeZone);
  const fallback = build(fromDayNumber(dayNumber(today) - (DEFAULT_PERIOD_DAYS - 1)), today, timeZone);
  const fromText = input.from?.trim() ?? '';
  const toText = input.to?.trim() ?? '';
  const to = toText === '' ? today : parseDay(toText);
  if (to === null) return { ok: false, problem: 'badTo', period: fallback };
  const from = fromText === '' ? fromDayNumber(dayNumber(to) - (DEFAULT_PERIOD_DAYS - 1)) : parseDay(fromText);
  if (from === null) return { ok: false, problem: 'badFrom', period: fallback };
  const days = dayNumber(to) - dayNumber(from) + 1;
  if (days < 1) return { ok: false, problem: 'reversed', period: fallback };
  if (days > MAX_PERIOD_DAYS) return { ok: false, problem: 'tooLong', period: fallback };
  return { ok: true, period: build(from, to, timeZone) };
}

function build(from: CalendarDate, to: CalendarDate, timeZone: string): Period {
  const first = dayNumber(from);
  const last = dayNumber(to);
  const bucketDays: 1 | 7 = last - first + 1 <= DAILY_UP_TO_DAYS ? 1 : 7;
  const buckets: Bucket[] = [];
  for (let n = first; n <= last; n += bucketDays) {
    const day = fromDayNumber(n);
    const endDay = fromDayNumber(Math.min(n + bucketDays, last + 1));
    buckets.push({ start: startOfDay(day, timeZone), end: startOfDay(endDay, timeZone), day });
  }
  return { from, to, bucketDays, buckets };
}
