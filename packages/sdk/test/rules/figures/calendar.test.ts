import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import {
  addFigureMonths,
  type FiguresCalendar,
  figureMonthOf,
  figureMonthStart,
  figureMonthsBetween,
  gregorianOfJalali,
  isFigureMonth,
  jalaliOfGregorian,
} from '../../../src/rules/index.js';

const DAY_MS = 86_400_000;
const tehran = (calendar: FiguresCalendar['calendar']): FiguresCalendar => ({ timeZone: 'Asia/Tehran', calendar });
const persian = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', { timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric' });

describe('Jalali dates', () => {
  it('agree with ICU’s Persian calendar (what the shop draws) on every day of 1990–2060', () => {
    const wrong: string[] = [];
    for (let t = Date.UTC(1990, 0, 1); t <= Date.UTC(2060, 11, 31); t += DAY_MS) {
      const d = new Date(t);
      const parts = persian.formatToParts(d);
      const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
      const expected = { year: get('year'), month: get('month'), day: get('day') };
      const g = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      const j = jalaliOfGregorian(g);
      if (j.year !== expected.year || j.month !== expected.month || j.day !== expected.day)
        wrong.push(`${d.toISOString()} → ${JSON.stringify(j)}`);
      const back = gregorianOfJalali(j);
      if (back.year !== g.year || back.month !== g.month || back.day !== g.day) wrong.push(`${JSON.stringify(j)} ↛ ${d.toISOString()}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    [
      { year: 2024, month: 3, day: 20 },
      { year: 1403, month: 1, day: 1 },
    ],
    [
      { year: 2025, month: 3, day: 20 },
      { year: 1403, month: 12, day: 30 },
    ], // 1403 is a leap year
    [
      { year: 2025, month: 3, day: 21 },
      { year: 1404, month: 1, day: 1 },
    ],
    [
      { year: 2024, month: 1, day: 21 },
      { year: 1402, month: 11, day: 1 },
    ],
  ])('%o is %o', (g, j) => {
    expect(jalaliOfGregorian(g)).toEqual(j);
    expect(gregorianOfJalali(j)).toEqual(g);
  });
});

describe('figureMonthOf', () => {
  it.each([
    ['a payment at 23:30 UTC on 31 January, Gregorian in Tehran', '2024-01-31T23:30:00Z', tehran('gregorian'), 202402],
    ['the same payment on UTC’s wall clock', '2024-01-31T23:30:00Z', { timeZone: 'UTC', calendar: 'gregorian' }, 202401],
    ['23:30 UTC on 30 Dey 1402 (its last day), Jalali in Tehran: 1 Bahman there', '2024-01-20T23:30:00Z', tehran('jalali'), 140211],
    ['the same instant, Jalali on UTC’s wall clock: still Dey', '2024-01-20T23:30:00Z', { timeZone: 'UTC', calendar: 'jalali' }, 140210],
    ['20:29 UTC on 20 January, Jalali in Tehran: 23:59 on 30 Dey', '2024-01-20T20:29:59Z', tehran('jalali'), 140210],
    ['Tehran under its old summer time (UTC+4:30): 19:30 UTC on 30 June 2020 is July', '2020-06-30T19:30:00Z', tehran('gregorian'), 202007],
    ['Nowruz 1404 at midnight in Tehran', '2025-03-20T20:30:00Z', tehran('jalali'), 140401],
  ] as const)('%s', (_name, instant, cal, month) => {
    expect(figureMonthOf(new Date(instant), cal)).toBe(month);
  });
});

describe('figureMonthStart', () => {
  it.each([
    [140211, tehran('jalali'), '2024-01-20T20:30:00.000Z'],
    [202402, tehran('gregorian'), '2024-01-31T20:30:00.000Z'],
    [202007, tehran('gregorian'), '2020-06-30T19:30:00.000Z'],
    [202403, { timeZone: 'America/New_York', calendar: 'gregorian' }, '2024-03-01T05:00:00.000Z'],
    [202404, { timeZone: 'America/New_York', calendar: 'gregorian' }, '2024-04-01T04:00:00.000Z'],
  ] as const)('%i starts at %s in %o', (month, cal, iso) => {
    expect(figureMonthStart(month, cal).toISOString()).toBe(iso);
  });

  it('is the first instant of its month, in both calendars and several zones (2015–2030)', () => {
    const wrong: string[] = [];
    for (const timeZone of ['Asia/Tehran', 'America/New_York', 'Asia/Kathmandu', 'UTC']) {
      for (const calendar of ['gregorian', 'jalali'] as const) {
        const cal = { timeZone, calendar };
        const first = calendar === 'gregorian' ? 201501 : 139401;
        for (let month = first; month < first + 1500; month = addFigureMonths(month, 1)) {
          const start = figureMonthStart(month, cal);
          if (figureMonthOf(start, cal) !== month) wrong.push(`${timeZone} ${month} start`);
          if (figureMonthOf(new Date(start.getTime() - 1), cal) !== addFigureMonths(month, -1)) wrong.push(`${timeZone} ${month} before`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('month arithmetic', () => {
  it.each([
    [140212, 1, 140301],
    [202401, -1, 202312],
    [202401, 36, 202701],
    [202312, -25, 202111],
  ])('%i + %i months is %i', (month, n, expected) => {
    expect(addFigureMonths(month, n)).toBe(expected);
    expect(figureMonthsBetween(month, expected)).toBe(n);
  });

  it.each([202413, 202400, 2024, 20240, 202401.5, Number.NaN])('%s is not a month', (month) => {
    expect(isFigureMonth(month)).toBe(false);
    expect(() => addFigureMonths(month, 1)).toThrow(ValidationError);
  });
});

describe('bad calendars', () => {
  it.each([
    [{ timeZone: 'Mars/Olympus', calendar: 'gregorian' }],
    [{ timeZone: 'UTC', calendar: 'hijri' }],
    [{ timeZone: '', calendar: 'jalali' }],
  ])('%o is a ValidationError', (cal) => {
    expect(() => figureMonthOf(new Date(), cal as FiguresCalendar)).toThrow(ValidationError);
    expect(() => figureMonthStart(202401, cal as FiguresCalendar)).toThrow(ValidationError);
  });

  it('an invalid instant is a ValidationError', () => {
    expect(() => figureMonthOf(new Date(Number.NaN), tehran('jalali'))).toThrow(ValidationError);
  });
});
