import { ConfigurationError, InternalError } from '@panelkit/sdk';

/** A schema name we accept: a plain lower-case identifier, so logs and `psql` need no quoting. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes an identifier for SQL (`"name"`, inner quotes doubled). Only identifiers are ever interpolated. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function checkSchemaName(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new ConfigurationError(`invalid schema name ${JSON.stringify(schema)}: use 1–63 of a-z 0-9 _, not starting with a digit`);
  }
  return schema;
}

/** Parameter encoders: every value goes to the server as a parameter, never inside the SQL text. */
export const enc = {
  time: (d: Date): string => d.toISOString(),
  timeOrNull: (d: Date | null): string | null => (d === null ? null : d.toISOString()),
  json: (v: unknown): string => JSON.stringify(v),
  jsonOrNull: (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v)),
};

/** Column decoders: drivers differ (pg gives int8 as a string, PGlite as a number). */
export const dec = {
  time(v: unknown): Date {
    if (v instanceof Date) return new Date(v.getTime());
    if (typeof v === 'string' || typeof v === 'number') return new Date(v);
    throw new InternalError(`expected a timestamp, got ${typeof v}`);
  },
  timeOrNull: (v: unknown): Date | null => (v === null || v === undefined ? null : dec.time(v)),
  int(v: unknown): number {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' || typeof v === 'bigint') return Number(v);
    throw new InternalError(`expected an integer, got ${typeof v}`);
  },
  intOrNull: (v: unknown): number | null => (v === null || v === undefined ? null : dec.int(v)),
  text: (v: unknown): string => String(v),
  textOrNull: (v: unknown): string | null => (v === null || v === undefined ? null : String(v)),
  bool: (v: unknown): boolean => v === true || v === 't',
  /** jsonb comes back parsed from both drivers; a string is parsed in case a driver did not. */
  json<T>(v: unknown): T {
    return (typeof v === 'string' ? JSON.parse(v) : v) as T;
  },
};

/** A row as a driver returns it. */
export type Row = Record<string, unknown>;
