import type { Page, PageRequest } from '@panelkit/sdk';
import { parsePageWindow, timeCursorCodec } from '@panelkit/sdk/storage';
import type { CursorCodec, PageWindow, TimeKey } from '@panelkit/sdk/storage';
import type { SqlQueryable } from '../client.js';
import type { Row } from './sql.js';

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

/** Which rows a newest-first page reads, and how they are ordered. */
export interface NewestFirst<T> {
  /** A condition on `$1…$n` of `params`, or none for every row. */
  readonly where?: string;
  readonly params?: readonly unknown[];
  /** The time and tie-break columns of the `(time, id)` index the page walks. Default `created_at`, `id`. */
  readonly time?: string;
  readonly id?: string;
  /** The cursor key of an entity: its values of those two columns. */
  readonly key: (entity: T) => TimeKey;
}

/**
 * One page of `table`, newest first, walking its `(time, id)` index from the cursor: the rows
 * `query.where` selects, read by `fromRow`, with a cursor exactly when another page follows.
 *
 * `table` may be several parts (subqueries of one row shape): each is read as a page of its own (its `ORDER BY … LIMIT`
 * walks its own index, which a part of a `UNION ALL` with a condition of its own would not: PostgreSQL plans such a
 * part apart, for all its rows), and the page is the newest of what they return.
 */
export async function pageNewestFirst<T>(
  db: SqlQueryable,
  table: string | readonly string[],
  fromRow: (row: Row) => T,
  page: PageRequest,
  { where, params = [], time = 'created_at', id = 'id', key }: NewestFirst<T>,
): Promise<Page<T>> {
  const window = parsePageWindow(page, timeCursorCodec);
  const n = params.length;
  const read = (from: string) =>
    `SELECT * FROM ${from} WHERE ${where === undefined ? '' : `(${where}) AND `}(${time}, ${id}) < ($${n + 1}::timestamptz, $${n + 2}::text)
     ORDER BY ${time} DESC, ${id} DESC LIMIT $${n + 3}`;
  const parts = typeof table === 'string' ? [table] : table;
  const sql =
    parts.length === 1
      ? read(parts[0]!)
      : `SELECT * FROM (${parts.map((part) => `(${read(part)})`).join(' UNION ALL ')}) AS page
         ORDER BY ${time} DESC, ${id} DESC LIMIT $${n + 3}`;
  const { rows } = await db.query(sql, [...params, ...timeBound(window.after, 'desc'), window.limit + 1]);
  return toPage(rows.map(fromRow), window, timeCursorCodec, key);
}
