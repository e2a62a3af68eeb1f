import type { SalesDayBounds } from '../domain/sales.js';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** How far the zone's wall clock is ahead of UTC at `instant`, read from the zone's rules (`Intl`, slow: see {@link offsetAt}). */
function offsetFromRules(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Per zone, the offset of each UTC day that has one offset from its first to its last millisecond (most days). */
const dayOffsets = new Map<string, Map<number, number>>();
/** Days remembered per zone before the memo starts over (a few years of days; bounded for a long-running process). */
const MAX_REMEMBERED_DAYS = 4096;

/**
 * How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. A figures fold asks this for every
 * event of every customer, and `Intl` costs microseconds a call, so a UTC day whose first and last millisecond have the
 * same offset is remembered whole; a day with a change in it (a DST switch) is read from the rules each time. (A zone
 * would have to change its offset and change it back within one UTC day for the memo to be wrong; none does.)
 */
function offsetAt(instant: number, timeZone: string): number {
  const day = Math.floor(instant / DAY_MS);
  let days = dayOffsets.get(timeZone);
  const known = days?.get(day);
  if (known !== undefined) return known;
  const first = offsetFromRules(day * DAY_MS, timeZone);
  if (first !== offsetFromRules(day * DAY_MS + DAY_MS - 1, timeZone)) return offsetFromRules(instant, timeZone);
  if (days === undefined) dayOffsets.set(timeZone, (days = new Map()));
  else if (days.size >= MAX_REMEMBERED_DAYS) days.clear();
  days.set(day, first);
  return first;
}

/** The instant a wall-clock day (`YYYY-MM-DD`) starts in `timeZone` (the first instant of it, past a DST gap at midnight). */
export function startOfZonedDay(day: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let instant = wall - offsetAt(wall, timeZone);
  instant = wall - offsetAt(instant, timeZone);
  // A midnight skipped by a DST change: the guess fell on the day before, at the old offset; the day
  // starts at the change, which is midnight at that old offset.
  if (zonedDayOf(new Date(instant), timeZone) !== day) instant = wall - offsetAt(instant, timeZone);
  return new Date(instant);
}

/** The wall-clock day (`YYYY-MM-DD`) of an instant in `timeZone`. */
export function zonedDayOf(instant: Date, timeZone: string): string {
  const at = instant.getTime() + offsetAt(instant.getTime(), timeZone);
  return new Date(at).toISOString().slice(0, 10);
}

/** Whether `day` is a real calendar day written `YYYY-MM-DD`. */
export function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const t = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day;
}

/** The days `from`..`to` (both included, `YYYY-MM-DD`) as instants in `timeZone`, oldest first; empty when `to` is before `from`. */
export function zonedDays(from: string, to: string, timeZone: string): SalesDayBounds[] {
  const days: SalesDayBounds[] = [];
  const first = Date.parse(`${from}T00:00:00Z`);
  const last = Date.parse(`${to}T00:00:00Z`);
  let start = startOfZonedDay(from, timeZone);
  for (let t = first; t <= last; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const next = new Date(t + DAY_MS).toISOString().slice(0, 10);
    const end = startOfZonedDay(next, timeZone);
    days.push({ day, start, end });
    start = end;
  }
  return days;
}
