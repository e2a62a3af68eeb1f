import { ValidationError } from '@panelkit/sdk';

/** Code-point order, as `COLLATE "C"` sorts: every id and name tie-break uses it. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `(time in ms, id)`: the key of every time-ordered index. */
export type TimeKey = readonly [ms: number, id: string];

export function timeKey(at: Date, id: string): TimeKey {
  return [at.getTime(), id];
}

export function compareTimeKeys(a: TimeKey, b: TimeKey): number {
  return compareNumbers(a[0], b[0]) || compareStrings(a[1], b[1]);
}

/** Turns the last key of a page into an opaque cursor and back. */
export interface KeyCodec<K> {
  encode(key: K): string;
  decode(cursor: string): K;
}

function badCursor(): never {
  throw new ValidationError('invalid cursor: it was not returned by this query', [
    { path: 'cursor', message: 'not a cursor returned by this query' },
  ]);
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

function isTimeKey(value: unknown): value is TimeKey {
  return Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string';
}

function isIdKey(value: unknown): value is string {
  return typeof value === 'string';
}

export const timeKeyCodec: KeyCodec<TimeKey> = jsonCodec(isTimeKey);
export const idKeyCodec: KeyCodec<string> = jsonCodec(isIdKey);
