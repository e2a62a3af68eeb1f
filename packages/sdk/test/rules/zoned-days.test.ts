import { describe, expect, it } from 'vitest';
import { startOfZonedDay, zonedDayOf } from '../../src/rules/zoned-days.js';

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock day of `instant` in `timeZone`, read from `Intl` each time (no memo): what the rules must agree with. */
function dayFromIntl(instant: number, timeZone: string): string {
  let format = formats.get(timeZone);
  if (format === undefined)
    formats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = format.formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Tehran', 'Australia/Lord_Howe', 'Pacific/Chatham', 'UTC'];

describe('zoned days (the offset memo)', () => {
  it('every 37 minutes over two years, in zones with and without DST, the day agrees with Intl read afresh', () => {
    const from = Date.UTC(2021, 0, 1);
    const to = Date.UTC(2023, 0, 1);
    for (const zone of ZONES) {
      const wrong: string[] = [];
      // Twice over the same instants: the second pass answers from the memo.
      for (let pass = 0; pass < 2; pass++)
        for (let t = from; t < to; t += 37 * 60_000) {
          const day = zonedDayOf(new Date(t), zone);
          if (day !== dayFromIntl(t, zone)) wrong.push(`${zone} ${new Date(t).toISOString()}: ${day}`);
        }
      expect(wrong.slice(0, 5)).toEqual([]);
    }
  });

  it("a day's start is in that day and a millisecond before it is in the day before, DST days included", () => {
    for (const zone of ZONES)
      for (const day of ['2022-03-13', '2022-03-27', '2022-03-22', '2022-04-03', '2022-09-25', '2022-10-02', '2022-11-06']) {
        const start = startOfZonedDay(day, zone).getTime();
        expect(dayFromIntl(start, zone)).toBe(day);
        expect(dayFromIntl(start - 1, zone)).not.toBe(day);
      }
  });
});
