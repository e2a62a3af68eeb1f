import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { rowDecoder, utcTimestamp } from '../src/drivers/pg-rows.js';

/** node-postgres's own `timestamptz` parser (`postgres-date`), which {@link utcTimestamp} stands in for. */
const postgresDate = pg.types.getTypeParser(1184, 'text') as (text: string) => unknown;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('utcTimestamp', () => {
  it("reads every UTC timestamp as node-postgres's parser does, to the millisecond", () => {
    let seed = 69;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const texts: string[] = [];
    // Every fraction of one to three digits, and random ones of four to six, on random instants (a day past the
    // month's end included: both roll it over alike).
    const fractions = [''];
    for (let width = 1; width <= 3; width++) for (let f = 0; f < 10 ** width; f++) fractions.push(`.${pad(f, width)}`);
    for (let i = 0; i < 3000; i++) fractions.push(`.${pad(random(10 ** (4 + (i % 3))), 4 + (i % 3))}`);
    for (const fraction of fractions) {
      const date = `${1000 + random(9000)}-${pad(1 + random(12), 2)}-${pad(1 + random(31), 2)}`;
      texts.push(`${date} ${pad(random(24), 2)}:${pad(random(60), 2)}:${pad(random(60), 2)}${fraction}+00`);
    }
    for (const text of texts) {
      const read = utcTimestamp(text);
      expect(read, text).toBeInstanceOf(Date);
      expect(read!.getTime(), text).toBe((postgresDate(text) as Date).getTime());
    }
  });

  it('leaves every other text to the parser', () => {
    for (const text of [
      '2026-11-27 08:31:54+05',
      '2026-11-27 08:31:54.5+05:30',
      '2026-11-27 08:31:54.1234567+00',
      '2026-11-27 08:31:54.+00',
      '2026-11-27T08:31:54+00',
      '2026-11-27 08:31:54',
      '0099-01-01 00:00:00+00',
      '0999-01-01 00:00:00+00',
      '12026-01-01 00:00:00+00',
      '2026-11-27 08:31:54+00 BC',
      '2026-1a-27 08:31:54+00',
      'infinity',
      '-infinity',
    ])
      expect(utcTimestamp(text), text).toBeUndefined();
  });
});

describe('rowDecoder', () => {
  const fields = [
    { name: 'id', dataTypeID: 25, format: 'text' },
    { name: 'at', dataTypeID: 1184, format: 'text' },
    { name: 'id', dataTypeID: 23, format: 'text' },
  ];
  const parsers = fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text'));

  it("builds node-postgres's row: names in order, the later of a name given twice, NULL as null", () => {
    const decode = rowDecoder(fields, parsers)!;
    const row = decode(['a', '2026-01-02 03:04:05.678+00', '7']);
    expect(row).toEqual({ id: 7, at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)) });
    expect(Object.keys(row)).toEqual(['id', 'at']);
    expect(decode([null, null, null])).toEqual({ id: null, at: null });
    // Offsets other than UTC, and texts of other forms, are the parser's.
    expect(decode(['a', '2026-01-02 03:04:05+05:30', '1'])['at']).toEqual(new Date(Date.UTC(2026, 0, 1, 21, 34, 5)));
    expect(decode(['a', 'infinity', '1'])['at']).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps a host's own timestamptz parser for every value", () => {
    const own = (text: string) => `at ${text}`;
    const decode = rowDecoder(fields, [parsers[0], own, parsers[2]])!;
    expect(decode(['a', '2026-01-02 03:04:05+00', '1'])['at']).toBe('at 2026-01-02 03:04:05+00');
  });

  it('declines what node-postgres decodes otherwise: binary columns, a __proto__ column, parsers missing', () => {
    expect(rowDecoder([{ ...fields[0], format: 'binary' }], [parsers[0]])).toBeUndefined();
    expect(rowDecoder([{ ...fields[0], name: '__proto__' }], [parsers[0]])).toBeUndefined();
    expect(rowDecoder(fields, parsers.slice(1))).toBeUndefined();
    expect(rowDecoder(fields, undefined)).toBeUndefined();
  });
});
