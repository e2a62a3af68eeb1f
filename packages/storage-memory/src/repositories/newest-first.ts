import type { Page, PageRequest } from '@panelkit/sdk';
import { parsePageWindow, timeCursorCodec, timeKey } from '@panelkit/sdk/storage';
import { compareTimeKeys } from '../internal/keys.js';

/** A newest-first page of `rows` by `(at, id)`, from a scan (small tables: storefronts' buyers, payouts). */
export function newestFirst<T extends { id: string }>(
  rows: Iterable<T>,
  at: (row: T) => Date,
  page: PageRequest,
  copy: (row: T) => T,
): Page<T> {
  const window = parsePageWindow(page, timeCursorCodec);
  const sorted = [...rows].sort((a, b) => compareTimeKeys(timeKey(at(b), b.id), timeKey(at(a), a.id)));
  const after = window.after;
  const from = after === undefined ? sorted : sorted.filter((r) => compareTimeKeys(timeKey(at(r), r.id), after) < 0);
  const items = from.slice(0, window.limit);
  const last = items[items.length - 1];
  const nextCursor = from.length > window.limit && last !== undefined ? timeCursorCodec.encode(timeKey(at(last), last.id)) : null;
  return { items: items.map(copy), nextCursor };
}
