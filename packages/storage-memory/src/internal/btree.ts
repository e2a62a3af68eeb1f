import sortedBtree from 'sorted-btree';
import type sortedBtreeTypes from 'sorted-btree';

/** A sorted-btree B+ tree (a sorted map; used with `undefined` values as a sorted set). */
export type BTree<K, V> = sortedBtreeTypes.default<K, V>;

type BTreeConstructor = typeof sortedBtree.default;

// sorted-btree is CommonJS. Node's ESM loader hands a default import the whole `exports` object
// (the class is on `.default`), while vitest and some bundlers unwrap it to the class itself.
const loaded: unknown = sortedBtree;

/** The B+ tree class, whichever way the module loader presented it. */
export const BTree: BTreeConstructor = typeof loaded === 'function' ? (loaded as BTreeConstructor) : sortedBtree.default;
