/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;
/** One day in milliseconds: always 24 hours (no calendars, no DST). */
export const DAY_MS = 86_400_000;

/** `days` of exactly 24 hours after `date`. Durations are UTC spans; calendars are for display. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** `ms` milliseconds after `date`, as a new `Date`. */
export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}
