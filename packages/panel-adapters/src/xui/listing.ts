/**
 * Paging over a listing the panel returns whole (Gen A `inbounds/list`): the first page fetches
 * once and keeps the snapshot; later pages with its cursor are cut from it, so walking every page
 * costs one panel call. A cursor whose snapshot is gone (another listing replaced it, or it aged
 * out) refetches and continues at the same offset.
 */
import { ValidationError, type Clock } from '@panelkit/sdk';
import type { ClientListPage, RemoteClient } from '@panelkit/sdk/adapter';

export const DEFAULT_PAGE_SIZE = 1000;
const SNAPSHOT_TTL_MS = 5 * 60_000;

export interface Snapshot {
  readonly id: string;
  readonly items: readonly RemoteClient[];
  readonly takenAt: number;
}

export class SnapshotCache {
  #last: Snapshot | undefined;
  #counter = 0;

  constructor(private readonly clock: Clock) {}

  get(id: string): Snapshot | undefined {
    const snapshot = this.#last;
    if (!snapshot || snapshot.id !== id) return undefined;
    if (this.clock.now().getTime() - snapshot.takenAt > SNAPSHOT_TTL_MS) return undefined;
    return snapshot;
  }

  put(items: readonly RemoteClient[]): Snapshot {
    const takenAt = this.clock.now().getTime();
    this.#last = { id: `${takenAt.toString(36)}${(this.#counter++).toString(36)}`, items, takenAt };
    return this.#last;
  }
}

export function parseCursor(cursor: string | null | undefined): { snapshot: string; offset: number } | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const match = /^([a-z0-9]+)\.(\d+)$/.exec(cursor);
  if (!match) throw new ValidationError('not a cursor this adapter issued', [{ path: 'cursor', message: 'unrecognised cursor' }]);
  return { snapshot: match[1]!, offset: Number(match[2]) };
}

export function pageSizeOf(limit: number | undefined, max = Number.MAX_SAFE_INTEGER): number {
  if (limit === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isSafeInteger(limit) || limit <= 0)
    throw new ValidationError('limit must be a positive whole number', [{ path: 'limit', message: 'must be > 0' }]);
  return Math.min(limit, max);
}

export function pageOf(snapshot: Snapshot, offset: number, limit: number | undefined): ClientListPage {
  const size = pageSizeOf(limit);
  const items = snapshot.items.slice(offset, offset + size);
  const next = offset + size;
  return { items, nextCursor: next < snapshot.items.length ? `${snapshot.id}.${next}` : null };
}
