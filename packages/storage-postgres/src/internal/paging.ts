import type { Page } from '@panelkit/sdk';
import type { CursorCodec, PageWindow, TimeKey } from '@panelkit/sdk/storage-kit';

/**
 * A page from rows fetched with `LIMIT limit + 1`: the extra row only says another page
 * follows, so a cursor is given exactly when one does.
 */
export function toPage<T, K>(items: T[], window: PageWindow<K>, codec: CursorCodec<K>, keyOf: (item: T) => K): Page<T> {
  if (items.length <= window.limit) return { items, nextCursor: null };
  const kept = items.slice(0, window.limit);
  return { items: kept, nextCursor: codec.encode(keyOf(kept[kept.length - 1]!)) };
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
