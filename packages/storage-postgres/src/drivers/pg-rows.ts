/** A text value of one DataRow as node-postgres reads it off the wire (`null` for SQL `NULL`). */
type RawValue = string | null;

/**
 * Turns one DataRow of a named statement into the row node-postgres would hand back: each column under its name,
 * keys in the order of the description (a name given twice holds the later column's value), `NULL` as `null`, every
 * other value through the type parser node-postgres chose for that column on that connection.
 */
export type RowDecoder = (values: readonly RawValue[]) => Record<string, unknown>;

/**
 * A {@link RowDecoder} for a statement's described rows with the parsers node-postgres picked for them (its
 * `Result`'s, from the connection's type overrides or `pg.types`): booked once per prepared statement and
 * connection, it spares each later run node-postgres's per-run work (the parsers looked up again, an empty row
 * built per run and every value stored into a copy of it by name: some 20–40 µs for the buyer's link's 35 columns).
 * `undefined` (node-postgres then decodes as always) for anything it would not decode the same way: a column in
 * binary format, a name that is not a plain string or is `__proto__`, parsers that are not one function a column.
 * A type parser changed after the booking (`types.setTypeParser` at run time, not at start-up) is not seen by the
 * statement's later runs on that connection.
 */
export function rowDecoder(fields: readonly unknown[], parsers: unknown): RowDecoder | undefined {
  if (!Array.isArray(parsers) || parsers.length !== fields.length || !parsers.every((p) => typeof p === 'function')) return undefined;
  const names: string[] = [];
  for (const field of fields) {
    const { name, format } = (field ?? {}) as { name?: unknown; format?: unknown };
    if (typeof name !== 'string' || name === '__proto__') return undefined;
    if (format !== undefined && format !== 'text' && format !== 0) return undefined;
    names.push(name);
  }
  const parse = (parsers as ((value: string) => unknown)[]).map((parser, i) =>
    (fields[i] as { dataTypeID?: unknown }).dataTypeID === TIMESTAMPTZ && readsUtcAsDates(parser) ? utcFirst(parser) : parser,
  );
  return (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const value = values[i];
      row[names[i]!] = value === null || value === undefined ? null : parse[i]!(value);
    }
    return row;
  };
}

/** `timestamptz`'s type OID. */
const TIMESTAMPTZ = 1184;

/**
 * A `timestamptz` as PostgreSQL writes it in UTC (`TimeZone` UTC, `DateStyle` ISO): `2026-11-27 08:31:54.123456+00`,
 * a year of four digits from 1000, a fraction of 1–6 digits or none. The Date node-postgres's parser (`postgres-date`)
 * makes of it, by the same arithmetic (milliseconds `1000 * parseFloat('.123456')`, cut to an integer by
 * `Date.UTC`), without its three regular expressions; `undefined` for any other text.
 */
export function utcTimestamp(text: string): Date | undefined {
  const n = text.length;
  if (n !== 22 && (n < 24 || n > 29)) return undefined;
  if (text.charCodeAt(n - 3) !== 43 || text.charCodeAt(n - 2) !== 48 || text.charCodeAt(n - 1) !== 48) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  if (n > 22 && text.charCodeAt(19) !== 46) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (year < 1000 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (n > 22 && digits(text, 20, n - 3) < 0) return undefined;
  const ms = n > 22 ? 1000 * Number.parseFloat(text.slice(19, n - 3)) : 0;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}

/** The decimal number in `text[from, to)`, or -1 when a character there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** Samples of {@link utcTimestamp}'s form: a parser that reads each as the same plain Date reads them as it does. */
const UTC_SAMPLES = [
  '2001-02-03 04:05:06+00',
  '2001-02-03 04:05:06.7+00',
  '1999-12-31 23:59:59.999999+00',
  '2026-11-27 08:31:54.123456+00',
];

/**
 * Whether `parser` (the one node-postgres chose for a `timestamptz` column: `postgres-date` unless the host set its
 * own) reads UTC timestamps as {@link utcTimestamp} does, tried on samples: then {@link utcTimestamp} may read them for
 * it. A host's parser that makes anything but the same plain `Date` (a string, a library's date) keeps every value.
 */
function readsUtcAsDates(parser: (value: string) => unknown): boolean {
  let reads = triedParsers.get(parser);
  if (reads === undefined) {
    reads = triesUtcAsDates(parser);
    triedParsers.set(parser, reads);
  }
  return reads;
}

/** {@link readsUtcAsDates}'s answer for each parser tried: every statement described on every connection asks it again. */
const triedParsers = new WeakMap<(value: string) => unknown, boolean>();

function triesUtcAsDates(parser: (value: string) => unknown): boolean {
  try {
    return UTC_SAMPLES.every((sample) => {
      const read = parser(sample);
      return read instanceof Date && Object.getPrototypeOf(read) === Date.prototype && read.getTime() === utcTimestamp(sample)?.getTime();
    });
  } catch {
    return false;
  }
}

/** `parser`, with {@link utcTimestamp} reading the texts of its form first. */
function utcFirst(parser: (value: string) => unknown): (value: string) => unknown {
  return (value) => utcTimestamp(value) ?? parser(value);
}
