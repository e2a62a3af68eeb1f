import { describe, expect, it } from 'vitest';
import {
  FIGURE_BUCKET_MS,
  type FigureCell,
  figureBucketOf,
  figureDayCells,
  figureDayOfBucket,
  figureDaysOfSpans,
} from '../../../src/rules/figures/index.js';
import { zonedDays } from '../../../src/rules/zoned-days.js';

const at = (iso: string) => figureBucketOf(new Date(iso));
const spansOf = (days: readonly { start: Date; end: Date }[]) =>
  days.map((d) => ({ first: d.start.getTime() / FIGURE_BUCKET_MS, end: d.end.getTime() / FIGURE_BUCKET_MS }));

describe('the daily sales per day of the figures’ zone', () => {
  it('puts a bucket in the day of the zone its first instant falls in', () => {
    expect(figureDayOfBucket(at('2024-02-01T00:00:00Z'), 'UTC')).toBe(20240201);
    expect(figureDayOfBucket(at('2024-02-01T00:00:00Z'), 'America/St_Johns')).toBe(20240131);
    // Tehran (UTC+3:30): 20:15 UTC is 23:45, 20:30 UTC is midnight of the next day.
    expect(figureDayOfBucket(at('2024-01-31T20:15:00Z'), 'Asia/Tehran')).toBe(20240131);
    expect(figureDayOfBucket(at('2024-01-31T20:30:00Z'), 'Asia/Tehran')).toBe(20240201);
    expect(figureDayOfBucket(at('2024-12-31T18:15:00Z'), 'Asia/Kathmandu')).toBe(20250101);
  });

  it('adds each bucket cell to its day as it is, and leaves other tables out', () => {
    const b = at('2024-01-31T20:15:00Z');
    const cells: FigureCell[] = [
      { table: 'buckets', bucket: b, currency: 'USD', metric: 'net_sales', value: 500 },
      { table: 'buckets', bucket: b + 1, currency: 'USD', metric: 'net_sales', value: -200 },
      { table: 'months', scope: '*', month: 202401, metric: 'net_sales', key: '', currency: 'USD', value: 500 },
      { table: 'buckets', bucket: b + 1, currency: '', metric: 'in_service_delta', value: 1 },
    ];
    expect(figureDayCells(cells, 'Asia/Tehran')).toEqual([
      { table: 'days', day: 20240131, currency: 'USD', metric: 'net_sales', value: 500 },
      { table: 'days', day: 20240201, currency: 'USD', metric: 'net_sales', value: -200 },
      { table: 'days', day: 20240201, currency: '', metric: 'in_service_delta', value: 1 },
    ]);
  });

  it('keys a read’s days in the zone they were cut in, clock changes included, and refuses spans of another zone', () => {
    // St John's moves its clocks on 10 March and 3 November 2024: days of 23 and 25 hours.
    const days = zonedDays('2024-03-09', '2024-03-11', 'America/St_Johns');
    const spans = spansOf(days);
    expect(spans.map((s) => s.end - s.first)).toEqual([96, 92, 96]);
    expect(figureDaysOfSpans(days, spans, 'America/St_Johns')).toEqual([20240309, 20240310, 20240311]);
    const fall = zonedDays('2024-11-03', '2024-11-03', 'America/St_Johns');
    expect(figureDaysOfSpans(fall, spansOf(fall), 'America/St_Johns')).toEqual([20241103]);
    expect(figureDaysOfSpans(days, spans, 'UTC')).toBeNull();
    const tehran = zonedDays('2024-02-01', '2024-02-02', 'Asia/Tehran');
    expect(figureDaysOfSpans(tehran, spansOf(tehran), 'Asia/Tehran')).toEqual([20240201, 20240202]);
    expect(figureDaysOfSpans(tehran, spansOf(tehran), 'Asia/Kathmandu')).toBeNull();
    // A span one bucket longer than its day holds the next day's first bucket.
    const long = spansOf(tehran).map((s) => ({ ...s, end: s.end + 1 }));
    expect(figureDaysOfSpans(tehran.slice(0, 1), long.slice(0, 1), 'Asia/Tehran')).toBeNull();
  });
});
