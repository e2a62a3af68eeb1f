import { addFigureMonths, figureMonthOf, figureMonthStart, figureMonthsBetween, type FiguresCalendar } from '@panelkit/sdk/rules';
import { dateTimeFormat } from '../../i18n/intl-cache.js';
import { LOCALE_TABLE, type Locale } from '../../i18n/locales.js';
import { asciiDigits } from '../input/digits.js';

/** The months the owner figures show when none are asked for: the last twelve, the current one included. */
export const DEFAULT_FIGURE_MONTHS = 12;
/** The most months one page or export covers (three years: the cohort grid stays readable). */
export const MAX_FIGURE_MONTHS = 36;

/** The shop's figures calendar: the months the SDK folds in (`createPanelkit({ figures })`). */
export function figuresCalendarOf(config: { timeZone: string; figuresCalendar: 'gregorian' | 'jalali' }): FiguresCalendar {
  return { timeZone: config.timeZone, calendar: config.figuresCalendar };
}

/** Why a typed month range was refused (a translation key under `figures.errors`). */
export type MonthRangeProblem = 'badFrom' | 'badTo' | 'reversed' | 'tooLong';

/** A chosen range of months, `yyyymm` in the figures' calendar, both included. */
export interface MonthRange {
  from: number;
  to: number;
}

/**
 * A month as typed: `2026-03` (the month picker) or `1404/12`, ASCII, Persian or Arabic digits, in the figures'
 * calendar. A year outside the calendar's plausible range (Jalali 1300–1500, Gregorian 1900–2200) is refused.
 */
export function parseFigureMonth(text: string, calendar: FiguresCalendar['calendar']): number | null {
  const m = /^(\d{4})[/-](\d{1,2})$/.exec(asciiDigits(text).trim());
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const [low, high] = calendar === 'jalali' ? [1300, 1500] : [1900, 2200];
  if (year < low || year > high || month < 1 || month > 12) return null;
  return year * 100 + month;
}

/** A month as the form shows it back: `2026-03` (Gregorian, the month picker's value) or `1404/12` (Jalali). */
export function monthField(month: number, calendar: FiguresCalendar['calendar']): string {
  const mm = String(month % 100).padStart(2, '0');
  return calendar === 'jalali' ? `${Math.floor(month / 100)}/${mm}` : `${Math.floor(month / 100)}-${mm}`;
}

/**
 * The months `from`..`to` as typed (either may be blank): a blank `to` is the current month, a blank `from` the
 * {@link DEFAULT_FIGURE_MONTHS} months up to `to`. Refused (with the default range to show instead) when a month is
 * not one, the range runs backwards or is longer than {@link MAX_FIGURE_MONTHS}.
 */
export function monthRangeOf(
  input: { from?: string | undefined; to?: string | undefined },
  now: Date,
  cal: FiguresCalendar,
): { ok: true; range: MonthRange } | { ok: false; problem: MonthRangeProblem; range: MonthRange } {
  const current = figureMonthOf(now, cal);
  const fallback = { from: addFigureMonths(current, -(DEFAULT_FIGURE_MONTHS - 1)), to: current };
  const toText = input.to?.trim() ?? '';
  const fromText = input.from?.trim() ?? '';
  const to = toText === '' ? current : parseFigureMonth(toText, cal.calendar);
  if (to === null) return { ok: false, problem: 'badTo', range: fallback };
  const from = fromText === '' ? addFigureMonths(to, -(DEFAULT_FIGURE_MONTHS - 1)) : parseFigureMonth(fromText, cal.calendar);
  if (from === null) return { ok: false, problem: 'badFrom', range: fallback };
  const span = figureMonthsBetween(from, to) + 1;
  if (span < 1) return { ok: false, problem: 'reversed', range: fallback };
  if (span > MAX_FIGURE_MONTHS) return { ok: false, problem: 'tooLong', range: fallback };
  return { ok: true, range: { from, to } };
}

/**
 * A month's label in the reader's language but the figures' calendar ("Mar 2026", "Farvardin 1404", "فروردین ۱۴۰۴"):
 * the month's first instant drawn in the figures' zone with that calendar.
 */
export function monthLabel(month: number, cal: FiguresCalendar, locale: Locale): string {
  const tag = `${LOCALE_TABLE[locale].intl}-u-ca-${cal.calendar === 'jalali' ? 'persian' : 'gregory'}`;
  return dateTimeFormat(tag, { timeZone: cal.timeZone, month: 'short', year: 'numeric' }).format(figureMonthStart(month, cal));
}
