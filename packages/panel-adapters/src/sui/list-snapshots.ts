/**
 * S-UI's `GET clients` answers every client in one response and has no paging. The port pages,
 * so one answer is held as a snapshot and served page by page: a full sweep costs one panel call
 * however small the pages. A cursor names its snapshot and the last client id served; when the
 * snapshot is gone (another adapter instance, evicted), the list is fetched again and the sweep
 * goes on after that id, so pages stay stable under a fixed panel state.
 */
import { randomBytes } from 'node:crypto';
import { ValidationError } from '@panelkit/sdk';
import type { SuiClientRow } from './schemas.js';

export interface ListCursor {
  readonly snapshot: string;
  readonly afterId: number;
}

export function encodeCursor(cursor: ListCursor): string {
  return `${cursor.snapshot}.${cursor.afterId}`;
}

export function decodeCursor(value: string): ListCursor {
  const found = /^([a-z0-9]{1,16})\.(\d{1,15})$/.exec(value);
  if (!found) throw new ValidationError('not an S-UI list cursor', [{ path: 'cursor', message: 'malformed' }]);
  return { snapshot: found[1]!, afterId: Number(found[2]) };
}

/** A bounded set of recent list answers, rows sorted by id. */
export class ListSnapshots {
  readonly #held = new Map<string, readonly SuiClientRow[]>();
  readonly #capacity: number;
  #sequence = 0;

  constructor(capacity = 4) {
    this.#capacity = capacity;
  }

  /** Holds a fresh answer; the oldest snapshot goes when more than `capacity` are held. */
  hold(rows: readonly SuiClientRow[]): { id: string; rows: readonly SuiClientRow[] } {
    const sorted = [...rows].sort((a, b) => a.id - b.id);
    this.#sequence += 1;
    const id = `${randomBytes(3).toString('hex')}${this.#sequence.toString(36)}`;
    this.#held.set(id, sorted);
    while (this.#held.size > this.#capacity) {
      const oldest = this.#held.keys().next().value;
      if (oldest === undefined) break;
      this.#held.delete(oldest);
    }
    return { id, rows: sorted };
  }

  get(id: string): readonly SuiClientRow[] | undefined {
    return this.#held.get(id);
  }

  release(id: string): void {
    this.#held.delete(id);
  }

  get size(): number {
    return this.#held.size;
  }
}

/** The rows after `afterId`, at most `limit` of them (rows are sorted by id). */
export function pageAfter(rows: readonly SuiClientRow[], afterId: number, limit: number): { page: SuiClientRow[]; more: boolean } {
  let start = 0;
  let high = rows.length;
  while (start < high) {
    const mid = (start + high) >>> 1;
    if (rows[mid]!.id <= afterId) start = mid + 1;
    else high = mid;
  }
  const page = rows.slice(start, start + limit);
  return { page, more: start + limit < rows.length };
}
