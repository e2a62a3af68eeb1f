import { zonedDayOf } from '../zoned-days.js';
import type { FigureCell } from './cells.js';
import { FIGURE_BUCKET_MS } from './cells.js';

/**
 * The day of the figures' time zone a 15-minute bucket starts in, as `yyyymmdd` (Gregorian, whatever the figures'
 * calendar: a day is a day in both): `20240131` for the bucket that starts at 2024-02-01T00:00Z in `America/St_Johns`
 * (UTC−3:30).
 */
export function figureDayOfBucket(bucket: number, timeZone: string): number {
  return dayKey(zonedDayOf(new Date(bucket * FIGURE_BUCKET_MS), timeZone));
}

/** `YYYY-MM-DD` as `yyyymmdd`. */
function dayKey(day: string): number {
  return Number(day.slice(0, 4)) * 10_000 + Number(day.slice(5, 7)) * 100 + Number(day.slice(8, 10));
}

/**
 * The daily sales per whole day of the figures' zone (`days` cells): each `buckets` cell of `cells` added to the day
 * its bucket starts in ({@link figureDayOfBucket}); other tables are left out. So a day's cell is the sum of its
 * buckets by construction, and `kit.salesFigures` asked in the figures' own zone reads one row a day, metric and
 * currency instead of summing the day's 96 buckets. Cells of one key are not merged here (the contribution merges).
 */
export function figureDayCells(cells: readonly FigureCell[], timeZone: string): FigureCell[] {
  const days: FigureCell[] = [];
  // A customer's buckets repeat (an order's sale and its subscription): look each bucket's day up once.
  const dayOf = new Map<number, number>();
  for (const cell of cells) {
    if (cell.table !== 'buckets') continue;
    let day = dayOf.get(cell.bucket);
    if (day === undefined) dayOf.set(cell.bucket, (day = figureDayOfBucket(cell.bucket, timeZone)));
    days.push({ table: 'days', day, currency: cell.currency, metric: cell.metric, value: cell.value });
  }
  return days;
}

/** Buckets in a day without a clock change: 24 hours. */
const PLAIN_DAY_BUCKETS = 86_400_000 / FIGURE_BUCKET_MS;

/**
 * The `days` keys of a sales read's days (`YYYY-MM-DD` each, with its whole buckets `[first, end)`), when every bucket
 * of each span starts in that day of `timeZone` as {@link figureDayOfBucket} reads it, so each day's `days` cells sum
 * exactly its span's buckets; `null` when one does not (the caller sums the buckets). A day's first and last bucket are
 * looked at, and every bucket of a day whose length is not 24 hours (a clock change inside it).
 */
export function figureDaysOfSpans(
  days: readonly { day: string }[],
  spans: readonly { first: number; end: number }[],
  timeZone: string,
): number[] | null {
  const keys: number[] = [];
  for (const [i, { day }] of days.entries()) {
    const { first, end } = spans[i]!;
    const key = dayKey(day);
    const looked = end - first === PLAIN_DAY_BUCKETS ? [first, end - 1] : Array.from({ length: end - first }, (_, b) => first + b);
    if (looked.some((b) => figureDayOfBucket(b, timeZone) !== key)) return null;
    keys.push(key);
  }
  return keys;
}
