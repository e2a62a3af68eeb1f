import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { rowBuilder, rowDecoder, utcTimestamp } from '../src/drivers/pg-rows.js';

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

describe('rowBuilder', () => {
  /** The row as node-postgres builds it: an empty object, each value stored under its name in turn. */
  const byLoop = (names: readonly string[], values: readonly (string | null)[], parse: readonly ((v: string) => unknown)[]) => {
    const row: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const value = values[i];
      row[name] = value === null || value === undefined ? null : parse[i]!(value);
    });
    return row;
  };
  const names = [
    'id',
    'id',
    '2',
    '10',
    '',
    'constructor',
    'toString',
    'hasOwnProperty',
    'a"b',
    "a'b",
    'a\\b',
    'line\nbreak',
    'sep\u2028arator',
    '\ud83d\ude00',
    'lone \ud800',
    '"}; throw new Error("injected"); ({"',
    '${1}',
    '`x`',
  ];

  it("builds the loop's row for any column names: keys and their order, the later of a name given twice, nulls", () => {
    const build = rowBuilder(names)!;
    expect(build).toBeTypeOf('function');
    const parse = names.map((_, i) => (i % 2 === 0 ? (v: string) => `${i}:${v}` : (v: string) => v.length));
    const rows = [names.map((_, i) => `v${i}`), names.map((_, i) => (i % 3 === 0 ? null : `w${i}`)), names.map(() => null)];
    for (const values of rows) {
      const built = build(values, parse);
      const looped = byLoop(names, values, parse);
      expect(Object.keys(built)).toEqual(Object.keys(looped));
      expect(built).toEqual(looped);
      expect(Object.getPrototypeOf(built)).toBe(Object.prototype);
    }
  });

  it('is made once per shape of row, whatever the parsers; a parser that throws fails the row', () => {
    expect(rowBuilder(['a', 'b'])).toBe(rowBuilder(['a', 'b']));
    expect(rowBuilder(['a', 'b'])).not.toBe(rowBuilder(['b', 'a']));
    const failing = () => {
      throw new Error('bad value');
    };
    expect(() => rowBuilder(['a', 'b'])!(['1', '2'], [String, failing])).toThrow('bad value');
    const decode = rowDecoder(
      [
        { name: 'a', format: 'text' },
        { name: 'b', format: 'text' },
      ],
      [Number, failing],
    )!;
    expect(() => decode(['1', '2'])).toThrow('bad value');
    expect(decode(['1', null])).toEqual({ a: 1, b: null });
  });

  it('declines where code may not be made from strings, and the decoder builds the same rows by its loop', () => {
    const module = fileURLToPath(new URL('../src/drivers/pg-rows.ts', import.meta.url));
    const script = `
      const { rowBuilder, rowDecoder } = await import(${JSON.stringify(module)});
      const decode = rowDecoder([{ name: 'a', format: 'text' }, { name: 'a', format: 'text' }, { name: 'b', format: 'text' }], [String, Number, Number]);
      console.log(JSON.stringify({ built: rowBuilder(['a']) === undefined ? 'declined' : 'made', row: decode(['x', '1', null]) }));`;
    const out = execFileSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(out)).toEqual({ built: 'declined', row: { a: 1, b: null } });
  });
});
