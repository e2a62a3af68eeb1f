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
  const parse = parsers as ((value: string) => unknown)[];
  return (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const value = values[i];
      row[names[i]!] = value === null || value === undefined ? null : parse[i]!(value);
    }
    return row;
  };
}
