import { PageRequestSchema, ValidationError, parseInput } from '@panelkit/sdk';
import type { Page, PageRequest } from '@panelkit/sdk';

/** `(time in ms, id)`: the position of a row in every time-ordered listing. */
export type TimeKey = readonly [ms: number, id: string];

/** Turns the last key of a page into an opaque cursor and back (the memory storage's format). */
export interface KeyCodec<K> {
  encode(key: K): string;
  decode(cursor: string): K;
}

function badCursor(): never {
  throw new ValidationError('invalid cursor: it was not returned by this query', [{ path: 'cursor', message: 'not a cursor returned by this query' }]);
}

function jsonCodec<K>(check: (value: unknown) => value is K): KeyCodec<K> {
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

export const timeKeyCodec: KeyCodec<TimeKey> = jsonCodec(
  (v): v is TimeKey => Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string',
);
export const idKeyCodec: KeyCodec<string> = jsonCodec((v): v is string => typeof v === 'string');

export interface PageWindow<K> {
  limit: number;
  after: K | undefined;
}

export function pageWindow<K>(page: PageRequest, codec: KeyCodec<K>): PageWindow<K> {
  const parsed = parseInput(PageRequestSchema, page, 'page request');
  const cursor = parsed.cursor ?? null;
  return { limit: parsed.limit, after: cursor === null ? undefined : codec.decode(cursor) };
}

/**
 * A page from rows fetched with `LIMIT limit + 1`: the extra row only says another page
 * follows, so a cursor is given exactly when one does.
 */
export function toPage<T, K>(items: T[], window: PageWindow<K>, codec: KeyCodec<K>, keyOf: (item: T) => K): Page<T> {
  if (items.length <= window.limit) return { items, nextCursor: null };
  const kept = items.slice(0, window.limit);
  return { items: kept, nextCursor: codec.encode(keyOf(kept[kept.length - 1]!)) };
}

export function timeKeyOf(at: Date, id: string): TimeKey {
  return [at.getTime(), id];
}

/**
 * Parameters for `(time, id) < ($t, $id)` (newest first) or `> ` (oldest first). Without a cursor
 * the bound is ±infinity, so one statement serves every page and its index range scan starts at
 * the cursor.
 */
export function timeBound(after: TimeKey | undefined, direction: 'desc' | 'asc'): [string, string] {
  if (after === undefined) return [direction === 'desc' ? 'infinity' : '-infinity', ''];
  return [new Date(after[0]).toISOString(), after[1]];
}
