import type { PageRequest } from '../../domain/common.js';
import { MAX_PAGE_LIMIT, PageRequestSchema } from '../../domain/common.js';
import { parseInput } from '../../domain/validate.js';
import { ValidationError } from '../../errors.js';

/** `(time in ms, id)`: the position of a row in a time-ordered listing. */
export type TimeKey = readonly [ms: number, id: string];

/** The `TimeKey` of a row created (or due) at `at`. */
export function timeKey(at: Date, id: string): TimeKey {
  return [at.getTime(), id];
}

/**
 * Turns the last key of a page into an opaque cursor and back. `decode` throws a
 * `ValidationError` for a cursor it did not make.
 */
export interface CursorCodec<K> {
  /** The opaque cursor that resumes after `key`. */
  encode(key: K): string;
  /** The key a cursor stands for; `ValidationError` for one this codec did not make. */
  decode(cursor: string): K;
}

function badCursor(): never {
  throw new ValidationError('invalid cursor: it was not returned by this query', [
    { path: 'cursor', message: 'not a cursor returned by this query' },
  ]);
}

function jsonCodec<K>(check: (value: unknown) => value is K): CursorCodec<K> {
  return {
    encode: (key) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url'),
    decode: (cursor) => {
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        return badCursor();
      }
      return check(value) ? value : badCursor();
    },
  };
}

function isTimeKey(value: unknown): value is TimeKey {
  return Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string';
}

/** Cursors of time-ordered listings: base64url JSON of a `TimeKey`. */
export const timeCursorCodec: CursorCodec<TimeKey> = jsonCodec(isTimeKey);

/** Cursors of id-ordered listings: base64url JSON of the last id. */
export const idCursorCodec: CursorCodec<string> = jsonCodec((value): value is string => typeof value === 'string');

/** A validated page request with its cursor decoded. */
export interface PageWindow<K> {
  limit: number;
  /** The last key of the previous page: this page starts strictly after it. */
  after: K | undefined;
}

/** Validates a `PageRequest` (a `ValidationError` when bad) and decodes its cursor with `codec`. */
export function parsePageWindow<K>(page: PageRequest, codec: CursorCodec<K>): PageWindow<K> {
  // A first page with a good limit (most reads, a link refresh's among them) needs no schema: the same answer without zod.
  if (typeof page === 'object' && page !== null && !Array.isArray(page) && (page.cursor === undefined || page.cursor === null)) {
    const { limit } = page;
    if (Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_LIMIT) return { limit, after: undefined };
  }
  const parsed = parseInput(PageRequestSchema, page, 'page request');
  const cursor = parsed.cursor ?? null;
  return { limit: parsed.limit, after: cursor === null ? undefined : codec.decode(cursor) };
}
