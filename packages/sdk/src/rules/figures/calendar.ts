import { ValidationError } from '../../errors.js';
import { isTimeZone, startOfZonedDay, zonedDayOf } from '../zoned-days.js';

const DAY_MS = 86_400_000;

/** The calendars the owner figures count months in: Gregorian, or Jalali (Solar Hijri) for a shop that reads Farsi. */
export const FIGURE_CALENDARS = ['gregorian', 'jalali'] as const;
/** One of {@link FIGURE_CALENDARS}. */
export type FigureCalendarKind = (typeof FIGURE_CALENDARS)[number];

/**
 * Where and how the owner figures cut months: an IANA time zone (`Asia/Tehran`, `UTC`) and a calendar. Set once for a
 * shop; changing either rebuilds the monthly figures.
 */
export interface FiguresCalendar {
  timeZone: string;
  calendar: FigureCalendarKind;
}

/** A day of a calendar: year, month 1–12, day 1–31. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Throws `ValidationError` unless `cal` names a time zone this runtime knows and one of {@link FIGURE_CALENDARS}. */
export function assertFiguresCalendar(cal: FiguresCalendar): void {
  const issues: { path: string; message: string }[] = [];
  if (typeof cal?.timeZone !== 'string' || !isTimeZone(cal.timeZone))
    issues.push({ path: 'timeZone', message: 'must be an IANA time zone' });
  if (!FIGURE_CALENDARS.includes(cal?.calendar))
    issues.push({ path: 'calendar', message: `must be one of ${FIGURE_CALENDARS.join(', ')}` });
  if (issues.length > 0) throw new ValidationError('invalid figures calendar', issues);
}

/**
 * Days from 1 Farvardin of Jalali year 1 to 1 Farvardin of `year`. The leap rule is the 33-year arithmetic cycle
 * ICU's Persian calendar uses (a year is leap when `(25·year + 11) mod 33 < 8`), so the SDK's months agree with the
 * month labels the shop draws through `Intl` (checked day by day in the tests).
 */
function daysBeforeJalaliYear(year: number): number {
  return 365 * (year - 1) + Math.floor((8 * year + 21) / 33);
}

/** 1 Farvardin 1349 fell on 1970-03-21, day 79 after the Unix epoch; this ties the cycle to Unix days. */
const FARVARDIN_ONE_OFFSET = 79 - daysBeforeJalaliYear(1349);

/** The Unix day (days since 1970-01-01) of 1 Farvardin of Jalali `year`. */
function nowruzDay(year: number): number {
  return daysBeforeJalaliYear(year) + FARVARDIN_ONE_OFFSET;
}

/** Days before Jalali month `month` (1–12) in its year: six months of 31 days, then five of 30, then Esfand. */
function daysBeforeJalaliMonth(month: number): number {
  return month <= 6 ? (month - 1) * 31 : 186 + (month - 7) * 30;
}

/** The Jalali date of a Gregorian one (proleptic, any year this calendar's arithmetic covers). */
export function jalaliOfGregorian(date: CalendarDate): CalendarDate {
  const unixDay = Math.floor(Date.UTC(date.year, date.month - 1, date.day) / DAY_MS);
  let year = Math.floor(((unixDay - FARVARDIN_ONE_OFFSET) * 33) / 12_053) + 1;
  while (nowruzDay(year + 1) <= unixDay) year++;
  while (nowruzDay(year) > unixDay) year--;
  const dayOfYear = unixDay - nowruzDay(year);
  const month = dayOfYear < 186 ? Math.floor(dayOfYear / 31) + 1 : Math.floor((dayOfYear - 186) / 30) + 7;
  return { year, month, day: dayOfYear - daysBeforeJalaliMonth(month) + 1 };
}

/** The Gregorian date of a Jalali one; the day may run past the month's end (it counts on, as `Date.UTC` does). */
export function gregorianOfJalali(date: CalendarDate): CalendarDate {
  const unixDay = nowruzDay(date.year) + daysBeforeJalaliMonth(date.month) + date.day - 1;
  const g = new Date(unixDay * DAY_MS);
  return { year: g.getUTCFullYear(), month: g.getUTCMonth() + 1, day: g.getUTCDate() };
}

/** Whether `month` is a month number as the figures write it: `yyyymm` with `mm` 01–12 and a four-digit year. */
export function isFigureMonth(month: number): boolean {
  return Number.isInteger(month) && month >= 100_001 && month <= 999_912 && month % 100 >= 1 && month % 100 <= 12;
}

function assertFigureMonth(month: number): void {
  if (!isFigureMonth(month)) throw new ValidationError('invalid figure month', [{ path: 'month', message: 'must be yyyymm, mm 01–12' }]);
}

/**
 * The month of `instant` on the wall clock of `cal.timeZone`, in `cal.calendar`, as `yyyymm` (`202401`, or `140211`
 * for Bahman 1402). A payment at 23:30 UTC on 31 January is in February in Tehran (UTC+3:30). Throws `ValidationError`
 * for an unknown zone or calendar, or an invalid date.
 */
export function figureMonthOf(instant: Date, cal: FiguresCalendar): number {
  assertFiguresCalendar(cal);
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime()))
    throw new ValidationError('invalid instant', [{ path: 'instant', message: 'must be a valid Date' }]);
  const [y, m, d] = zonedDayOf(instant, cal.timeZone).split('-').map(Number) as [number, number, number];
  if (cal.calendar === 'gregorian') return y * 100 + m;
  const j = jalaliOfGregorian({ year: y, month: m, day: d });
  return j.year * 100 + j.month;
}

/** The month `n` months after `month` (`n` may be negative); the same arithmetic in both calendars (12 months a year). */
export function addFigureMonths(month: number, n: number): number {
  assertFigureMonth(month);
  const index = Math.floor(month / 100) * 12 + (month % 100) - 1 + n;
  return Math.floor(index / 12) * 100 + (index % 12) + 1;
}

/** How many months `to` is after `from` (negative when before): a cohort's age in month `to` when `from` is the cohort. */
export function figureMonthsBetween(from: number, to: number): number {
  assertFigureMonth(from);
  assertFigureMonth(to);
  return Math.floor(to / 100) * 12 + (to % 100) - (Math.floor(from / 100) * 12 + (from % 100));
}

/**
 * The first instant of `month` (`yyyymm` in `cal.calendar`) on the wall clock of `cal.timeZone`: its first day's
 * midnight there (or the first instant after a DST gap at that midnight). The month runs to the next month's start.
 */
export function figureMonthStart(month: number, cal: FiguresCalendar): Date {
  assertFiguresCalendar(cal);
  assertFigureMonth(month);
  const first = { year: Math.floor(month / 100), month: month % 100, day: 1 };
  const g = cal.calendar === 'gregorian' ? first : gregorianOfJalali(first);
  const day = `${String(g.year).padStart(4, '0')}-${String(g.month).padStart(2, '0')}-${String(g.day).padStart(2, '0')}`;
  return startOfZonedDay(day, cal.timeZone);
}
