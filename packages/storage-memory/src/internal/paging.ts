import type { Page } from '@panelkit/sdk';
import type { CursorCodec, PageWindow } from '@panelkit/sdk/storage';
import type { BTree } from './btree.js';
import { copy } from './copy.js';

/** Keys of `tree` in ascending order, from `from` (inclusive) and strictly after `after`. */
export function* ascending<K>(
  tree: BTree<K, undefined> | undefined,
  compare: (a: K, b: K) => number,
  bounds: { from?: K | undefined; after?: K | undefined } = {},
): Generator<K> {
  if (tree === undefined) return;
  const { from, after } = bounds;
  const start = from === undefined ? after : after === undefined || compare(from, after) > 0 ? from : after;
  for (const key of tree.keys(start)) {
    if (after !== undefined && compare(key, after) <= 0) continue;
    yield key;
  }
}

/** Keys of `tree` in descending order, strictly before `before`. */
export function* descending<K>(tree: BTree<K, undefined> | undefined, before: K | undefined): Generator<K> {
  if (tree === undefined) return;
  for (const [key] of tree.entriesReversed(before, undefined, true)) yield key;
}

/** Stops at the first key that fails `keep` (for range ends on ordered keys). */
export function* takeWhile<K>(keys: Iterable<K>, keep: (key: K) => boolean): Generator<K> {
  for (const key of keys) {
    if (!keep(key)) return;
    yield key;
  }
}

/**
 * Merges ordered key streams into one. `direction` 1 merges ascending streams, -1 descending
 * ones. Keys are unique across streams (they end with a row id). Meant for a handful of streams.
 */
export function* merge<K>(streams: readonly Iterable<K>[], compare: (a: K, b: K) => number, direction: 1 | -1 = 1): Generator<K> {
  if (streams.length === 1 && streams[0] !== undefined) {
    yield* streams[0];
    return;
  }
  const heads: { iterator: Iterator<K>; key: K }[] = [];
  for (const stream of streams) {
    const iterator = stream[Symbol.iterator]();
    const first = iterator.next();
    if (first.done !== true) heads.push({ iterator, key: first.value });
  }
  while (heads.length > 0) {
    let best = 0;
    for (let i = 1; i < heads.length; i++) {
      if (direction * compare(heads[i]!.key, heads[best]!.key) < 0) best = i;
    }
    const head = heads[best]!;
    yield head.key;
    const next = head.iterator.next();
    if (next.done === true) heads.splice(best, 1);
    else head.key = next.value;
  }
}

/**
 * Reads one page: takes rows for `keys` in order (`load` returns undefined to skip a row that a
 * filter rejects), copies them, and gives a cursor only when at least one more row follows.
 */
export function collectPage<K, T>(
  keys: Iterable<K>,
  window: PageWindow<K>,
  codec: CursorCodec<K>,
  load: (key: K) => T | undefined,
): Page<T> {
  const items: T[] = [];
  let lastKey: K | undefined;
  for (const key of keys) {
    const row = load(key);
    if (row === undefined) continue;
    if (items.length === window.limit) {
      return { items, nextCursor: lastKey === undefined ? null : codec.encode(lastKey) };
    }
    items.push(copy(row));
    lastKey = key;
  }
  return { items, nextCursor: null };
}
