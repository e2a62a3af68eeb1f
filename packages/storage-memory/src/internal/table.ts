import { ConflictError, InternalError, NotFoundError } from '@panelkit/sdk';
import type { Row, RowIndex } from './row-index.js';
import type { UniqueIndex } from './unique-index.js';
import type { UndoLog } from './undo-log.js';

/** Sees one write of a table: `before` is undefined for an insert, `after` for a delete. */
export type TableWatcher<T> = (undo: UndoLog, before: T | undefined, after: T | undefined) => void;

/**
 * Rows by id plus their indexes. Stored rows are never mutated: an update stores a new object,
 * so undoing it is putting the old object back. Every write records its inverse in the undo log
 * given to it, indexes included.
 */
export class Table<T extends Row> {
  readonly #rows = new Map<string, T>();
  readonly #indexes: readonly RowIndex<T>[];
  readonly #watchers: TableWatcher<T>[] = [];

  constructor(
    /** The entity name used in `NotFoundError`, e.g. `subscription`. */
    readonly entity: string,
    private readonly uniques: readonly UniqueIndex<T>[],
    indexes: readonly RowIndex<T>[] = [],
  ) {
    this.#indexes = [...uniques, ...indexes];
  }

  /**
   * Calls `watcher` after every insert, replace and delete, in the same call and with the same undo log, as a row
   * trigger runs inside its statement: what it writes is undone with the write that fired it.
   */
  watch(watcher: TableWatcher<T>): void {
    this.#watchers.push(watcher);
  }

  get size(): number {
    return this.#rows.size;
  }

  get(id: string): T | undefined {
    return this.#rows.get(id);
  }

  /** The row, or `NotFoundError`. */
  require(id: string): T {
    const row = this.#rows.get(id);
    if (row === undefined) throw new NotFoundError(this.entity, id);
    return row;
  }

  /** The row an index points at; its absence is a bug in this package, not the caller's. */
  load(id: string): T {
    const row = this.#rows.get(id);
    if (row === undefined) throw new InternalError(`${this.entity} index points at missing row ${id}`);
    return row;
  }

  values(): IterableIterator<T> {
    return this.#rows.values();
  }

  insert(undo: UndoLog, row: T): void {
    if (this.#rows.has(row.id)) throw new ConflictError(`${this.entity} ${row.id} already exists`);
    for (const unique of this.uniques) unique.assertFree(row);
    this.#link(row);
    undo.push(() => this.#unlink(row));
    for (const watcher of this.#watchers) watcher(undo, undefined, row);
  }

  /** Stores `after` in place of the row with the same id and returns the row it replaced. */
  replace(undo: UndoLog, after: T): T {
    const before = this.require(after.id);
    for (const unique of this.uniques) unique.assertFree(after);
    this.#swap(before, after);
    undo.push(() => this.#swap(after, before));
    for (const watcher of this.#watchers) watcher(undo, before, after);
    return before;
  }

  /** Removes the row with this id, if any, and returns it. */
  delete(undo: UndoLog, id: string): T | undefined {
    const row = this.#rows.get(id);
    if (row === undefined) return undefined;
    this.#unlink(row);
    undo.push(() => this.#link(row));
    for (const watcher of this.#watchers) watcher(undo, row, undefined);
    return row;
  }

  #link(row: T): void {
    this.#rows.set(row.id, row);
    for (const index of this.#indexes) index.add(row);
  }

  #unlink(row: T): void {
    for (const index of this.#indexes) index.remove(row);
    this.#rows.delete(row.id);
  }

  #swap(before: T, after: T): void {
    for (const index of this.#indexes) index.replace(before, after);
    this.#rows.set(after.id, after);
  }
}
