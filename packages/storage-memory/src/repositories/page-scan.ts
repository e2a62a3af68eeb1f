import { timeCursorCodec } from '@panelkit/sdk/storage';
import type { Page } from '@panelkit/sdk';
import type { PageWindow, TimeKey } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import { compareTimeKeys } from '../internal/keys.js';

/**
 * A newest-first page of `rows` by a full scan: for the small tables (discount codes, referrals of
 * one referrer) that need no index in memory.
 */
export function newestFirst<T extends object>(rows: readonly T[], window: PageWindow<TimeKey>, keyOf: (row: T) => TimeKey): Page<T> {
  const sorted = rows
    .filter((r) => window.after === undefined || compareTimeKeys(keyOf(r), window.after) < 0)
    .sort((a, b) => compareTimeKeys(keyOf(b), keyOf(a)));
  if (sorted.length <= window.limit) return { items: sorted.map((r) => copy(r)), nextCursor: null };
  const kept = sorted.slice(0, window.limit);
  return { items: kept.map((r) => copy(r)), nextCursor: timeCursorCodec.encode(keyOf(kept[kept.length - 1]!)) };
}
