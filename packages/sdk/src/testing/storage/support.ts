import type { Page } from '../../domain/common.js';
import { DAY_MS } from '../../rules/time.js';
import {
  ConflictError,
  IdempotencyConflictError,
  InsufficientFundsError,
  NotFoundError,
  PanelNameTakenError,
  ValidationError,
} from '../../errors.js';
import type { StoragePort } from '../../ports/storage.js';
import type { ManualClock } from '../manual-clock.js';
import { describeError, expectRejection } from '../rejection.js';

/**
 * What every per-repository suite reads at test time: the storage and clock of the running test.
 * The getters throw outside a test, so a suite cannot capture state across tests by accident.
 */
export interface SuiteEnv {
  readonly storage: StoragePort;
  readonly clock: ManualClock;
  /**
   * `count` storages on the running test's database, for races between replicas: new ones with
   * connections of their own where the factory can open them (`openReplica`), else `storage` again.
   */
  replicas(count: number): Promise<StoragePort[]>;
}

const ERROR_KINDS = {
  ValidationError: (e: unknown) => ValidationError.is(e),
  NotFoundError: (e: unknown) => NotFoundError.is(e),
  ConflictError: (e: unknown) => ConflictError.is(e),
  PanelNameTakenError: (e: unknown) => PanelNameTakenError.is(e),
  IdempotencyConflictError: (e: unknown) => IdempotencyConflictError.is(e),
  InsufficientFundsError: (e: unknown) => InsufficientFundsError.is(e),
} as const;
export type ErrorKind = keyof typeof ERROR_KINDS;

/** Awaits `promise`, asserts it rejected with a panelkit error of `kind`, and returns the error. */
export async function expectRejects(promise: Promise<unknown>, kind: ErrorKind): Promise<unknown> {
  return expectRejection(promise, kind, ERROR_KINDS[kind], describeError);
}

/** True when `value` is an error of `kind` (for counting outcomes of concurrent calls). */
export function isErrorKind(value: unknown, kind: ErrorKind): boolean {
  return ERROR_KINDS[kind](value);
}

export interface CollectedPages<T> {
  items: T[];
  pageSizes: number[];
}

/** Follows `nextCursor` until it is null, failing if the pages never end. */
export async function collectPages<T>(fetch: (cursor: string | null) => Promise<Page<T>>, maxPages = 100): Promise<CollectedPages<T>> {
  const items: T[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = await fetch(cursor);
    items.push(...page.items);
    pageSizes.push(page.items.length);
    if (page.nextCursor === null) return { items, pageSizes };
    cursor = page.nextCursor;
  }
  throw new Error(`paging did not end after ${maxPages} pages`);
}

/** `ms` after the clock's current time. */
export function later(clock: ManualClock, ms: number): Date {
  return new Date(clock.now().getTime() + ms);
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = DAY_MS;

/** Ids in code-point order (the order every storage must use for id tie-breaks on these ASCII ids). */
export function sortIds(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function idsOf(rows: readonly { id: string }[]): string[] {
  return rows.map((row) => row.id);
}

/** A promise and the function that resolves it: a step one side of a race waits for and the other opens. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Settles every promise and splits the outcomes. */
export async function settle<T>(promises: readonly Promise<T>[]): Promise<{ values: T[]; errors: unknown[] }> {
  const results = await Promise.allSettled(promises);
  const values: T[] = [];
  const errors: unknown[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') values.push(result.value);
    else errors.push(result.reason);
  }
  return { values, errors };
}
