import { BTree } from './btree.js';
import type { Row, RowIndex } from './row-index.js';

export interface SortedIndexSpec<T, K> {
  /** Which partition the row belongs to (e.g. its status), or null to leave it out of the index. */
  partition(row: T): string | null;
  key(row: T): K;
  compare(a: K, b: K): number;
}

/**
 * Ordered keys per partition, each partition a B+ tree used as a sorted set. Keys end with the
 * row's id, so they are unique; rows are looked up in the table by that id.
 */
export class SortedIndex<T extends Row, K> implements RowIndex<T> {
  readonly #trees = new Map<string, BTree<K, undefined>>();

  constructor(private readonly spec: SortedIndexSpec<T, K>) {}

  get compare(): (a: K, b: K) => number {
    return this.spec.compare;
  }

  /** The tree of one partition; undefined when the partition is empty. */
  tree(partition: string): BTree<K, undefined> | undefined {
    return this.#trees.get(partition);
  }

  size(partition: string): number {
    return this.#trees.get(partition)?.size ?? 0;
  }

  add(row: T): void {
    const partition = this.spec.partition(row);
    if (partition === null) return;
    let tree = this.#trees.get(partition);
    if (tree === undefined) {
      tree = new BTree<K, undefined>(undefined, this.spec.compare);
      this.#trees.set(partition, tree);
    }
    tree.set(this.spec.key(row), undefined);
  }

  remove(row: T): void {
    const partition = this.spec.partition(row);
    if (partition === null) return;
    const tree = this.#trees.get(partition);
    if (tree === undefined) return;
    tree.delete(this.spec.key(row));
    if (tree.size === 0) this.#trees.delete(partition);
  }

  replace(before: T, after: T): void {
    const from = this.spec.partition(before);
    const to = this.spec.partition(after);
    if (from === to && (from === null || this.spec.compare(this.spec.key(before), this.spec.key(after)) === 0)) return;
    this.remove(before);
    this.add(after);
  }
}

/** The partition of an index that is not partitioned. */
export const ALL = '';
