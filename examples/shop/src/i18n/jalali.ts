/** A calendar date: year, month 1–12, day 1–31. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const DAY_MS = 86_400_000;

const persianParts = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/** The Jalali (Solar Hijri) date of a UTC calendar day, as the shop displays it (ICU's Persian calendar). */
export function jalaliOf(utcMidnight: number): CalendarDate {
  const parts = persianParts.formatToParts(new Date(utcMidnight));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/**
 * The Gregorian date of a Jalali one, or `null` when no such day exists (month 13, 31 Mehr, 30 Esfand
 * of a common year). Found with the same ICU calendar the pages are drawn with, so what a buyer reads
 * and what they type agree: 1 Farvardin falls on 19–22 March, and the day of the Jalali year is exact.
 */
export function jalaliToGregorian(date: CalendarDate): CalendarDate | null {
  const { year, month, day } = date;
  if (!Number.isInteger(year) || year < 1300 || year > 1500 || month < 1 || month > 12 || day < 1 || day > (month <= 6 ? 31 : 30))
    return null;
  const dayOfYear = (month <= 6 ? (month - 1) * 31 : 186 + (month - 7) * 30) + day - 1;
  for (let nowruz = Date.UTC(year + 621, 2, 19); nowruz <= Date.UTC(year + 621, 2, 22); nowruz += DAY_MS) {
    const candidate = nowruz + dayOfYear * DAY_MS;
    const back = jalaliOf(candidate);
    if (back.year === year && back.month === month && back.day === day) {
      const g = new Date(candidate);
      return { year: g.getUTCFullYear(), month: g.getUTCMonth() + 1, day: g.getUTCDate() };
    }
  }
  return null;
}
