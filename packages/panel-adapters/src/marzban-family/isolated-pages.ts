/**
 * Offset pages that keep working when one row poisons them. On a real Marzban a user without
 * proxies (the API lets one be made) makes every `GET /api/users` page holding it answer 500, for
 * good: usage sync for the whole panel would stop. When a page fails with a 5xx, it is read again in
 * halves, down to single rows; a single row that still fails is skipped and reported, with its
 * position and readable neighbours, so the admins can repair it on the panel.
 */
import { PanelServerError } from '@panelkit/sdk';
import type { CallContext, UnreadableClient } from '@panelkit/sdk/adapter';

/** One successful offset page: its rows (with their usernames) and the panel's total. */
export interface OffsetPage<U> {
  readonly rows: readonly U[];
  readonly total: number;
}

/** What an isolated read of `[offset, offset + limit)` found. */
export interface IsolatedRange<U> {
  readonly rows: U[];
  readonly unreadable: UnreadableClient[];
  /** Rows of the range accounted for (read or skipped); fewer than asked at the end of the listing. */
  readonly covered: number;
  /** The panel's total, from any page that answered; `null` when none did. */
  readonly total: number | null;
}

/**
 * Reads `[offset, offset + limit)` with `read`. `read(offset, limit, ctx, retried)` must throw a
 * `PanelServerError` for a 5xx; `retried` says whether it should use the adapter's retry policy
 * (the whole page and single rows do; the halves in between try once, so a bisection stays cheap).
 */
export async function readIsolated<U>(
  offset: number,
  limit: number,
  nameOf: (row: U) => string,
  read: (offset: number, limit: number, ctx: CallContext, retried: boolean) => Promise<OffsetPage<U>>,
  ctx: CallContext,
): Promise<IsolatedRange<U>> {
  const result = { rows: [] as U[], unreadable: [] as { position: number; message: string }[], covered: 0, total: null as number | null };
  let ended = false;
  // A panel that fails every page is down, not poisoned: once more reads failed than one descent
  // to a single row takes, with none answering, the first failure is thrown as it is.
  const descent = Math.ceil(Math.log2(Math.max(1, limit))) + 1;
  let failures = 0;
  let answered = false;
  let first: unknown;
  const visit = async (start: number, size: number, retried: boolean): Promise<void> => {
    if (ended || size <= 0) return;
    try {
      const page = await read(start, size, ctx, retried);
      result.rows.push(...page.rows);
      result.covered += page.rows.length;
      result.total = page.total;
      answered = true;
      if (page.rows.length < size) ended = true;
    } catch (error) {
      if (!PanelServerError.is(error)) throw error;
      first ??= error;
      if (!answered && ++failures > descent) throw first;
      if (size === 1) {
        result.unreadable.push({ position: start, message: error.message });
        result.covered += 1;
        return;
      }
      const half = Math.ceil(size / 2);
      await visit(start, half, half === 1);
      await visit(start + half, size - half, size - half === 1);
    }
  };
  await visit(offset, limit, true);
  const unreadable = result.unreadable.map(({ position, message }) => {
    const index = position - offset;
    // Rows come back in order, with the skipped ones missing: the readable rows before this one are
    // `index` minus the skipped rows before it.
    const skippedBefore = result.unreadable.filter((u) => u.position < position).length;
    const readBefore = index - skippedBefore;
    const after = readBefore > 0 ? nameOf(result.rows[readBefore - 1]!) : null;
    const next = result.rows[readBefore];
    return { username: null, position, after, before: next === undefined ? null : nameOf(next), message };
  });
  return { rows: result.rows, unreadable, covered: result.covered, total: result.total };
}

/** The next offset cursor after an isolated range, or `null` when the listing ended. */
export function nextOffset(offset: number, limit: number, range: IsolatedRange<unknown>): string | null {
  const next = offset + range.covered;
  if (range.covered === 0) return null;
  if (range.total !== null) return next < range.total ? String(next) : null;
  // No page answered (every row of the range was skipped): only a full range can have more after it.
  return range.covered >= limit ? String(next) : null;
}
