import { describe, expect, it } from 'vitest';
import { DAILY_UP_TO_DAYS, dayField, parseDay, periodOf } from '../src/app/stats/period.js';

const at = (iso: string) => new Date(iso);

describe('the overview period', () => {
  it('defaults to the last 30 days, today included, cut at midnight in the shop zone', () => {
    // 22:00 UTC on 1 March is already 2 March in Tehran (UTC+3:30).
    const chosen = periodOf({}, at('2026-03-01T22:00:00Z'), 'Asia/Tehran');
    expect(chosen.ok).toBe(true);
    const { buckets, to, from, bucketDays } = chosen.period;
    expect(to).toEqual({ year: 2026, month: 3, day: 2 });
    expect(from).toEqual({ year: 2026, month: 2, day: 1 });
    expect(bucketDays).toBe(1);
    expect(buckets).toHaveLength(30);
    expect(buckets[0]!.start.toISOString()).toBe('2026-01-31T20:30:00.000Z');
    expect(buckets.at(-1)!.end.toISOString()).toBe('2026-03-02T20:30:00.000Z');
    for (const [i, b] of buckets.entries()) if (i > 0) expect(b.start).toEqual(buckets[i - 1]!.end);
  });

  it('makes a day of 23 hours on the night clocks go forward', () => {
    const chosen = periodOf({ from: '2026-03-28', to: '2026-03-30' }, at('2026-04-01T00:00:00Z'), 'Europe/Berlin');
    const hours = chosen.period.buckets.map((b) => (b.end.getTime() - b.start.getTime()) / 3_600_000);
    expect(hours).toEqual([24, 23, 24]);
  });

  it('reads Jalali days (Persian digits too) and writes them back for the Farsi form', () => {
    expect(parseDay('1404/12/10')).toEqual({ year: 2026, month: 3, day: 1 });
    expect(parseDay('۱۴۰۴/۱۲/۱۰')).toEqual({ year: 2026, month: 3, day: 1 });
    expect(dayField({ year: 2026, month: 3, day: 1 }, 'fa')).toBe('1404/12/10');
    expect(dayField({ year: 2026, month: 3, day: 1 }, 'en')).toBe('2026-03-01');
  });

  it.each([
    ['2026-02-30', null],
    ['1404/13/01', null],
    ['2026-3-1', { year: 2026, month: 3, day: 1 }],
    ['yesterday', null],
    ['', null],
  ])('parses %j as %j', (text, day) => {
    expect(parseDay(text)).toEqual(day);
  });

  it('refuses a reversed, too long or unreadable period, offering the default instead', () => {
    const now = at('2026-03-10T12:00:00Z');
    expect(periodOf({ from: '2026-03-05', to: '2026-03-01' }, now, 'UTC')).toMatchObject({ ok: false, problem: 'reversed' });
    expect(periodOf({ from: '2023-01-01', to: '2026-03-01' }, now, 'UTC')).toMatchObject({ ok: false, problem: 'tooLong' });
    expect(periodOf({ from: 'soon' }, now, 'UTC')).toMatchObject({ ok: false, problem: 'badFrom' });
    const bad = periodOf({ to: '2026-02-31' }, now, 'UTC');
    expect(bad).toMatchObject({ ok: false, problem: 'badTo' });
    expect(bad.period.buckets).toHaveLength(30);
  });

  it('draws one bar a day up to the limit and one a week beyond it, the last week cut at the period end', () => {
    const now = at('2026-12-31T12:00:00Z');
    const daily = periodOf({ from: '2026-01-01', to: '2026-04-02' }, now, 'UTC');
    expect(daily.period.bucketDays).toBe(1);
    expect(daily.period.buckets).toHaveLength(DAILY_UP_TO_DAYS);
    const weekly = periodOf({ from: '2026-01-01', to: '2026-04-10' }, now, 'UTC');
    expect(weekly.period.bucketDays).toBe(7);
    expect(weekly.period.buckets).toHaveLength(15);
    expect(weekly.period.buckets.at(-1)!.end.toISOString()).toBe('2026-04-11T00:00:00.000Z');
    expect(periodOf({ from: '2026-05-05', to: '2026-05-05' }, now, 'UTC').period.buckets).toHaveLength(1);
  });
});
