import { ConflictError } from '@panelkit/sdk';
import type { Row, RowIndex } from './row-index.js';

/**
 * A unique key over some rows (a partial unique index when `keyOf` returns null for rows it does
 * not cover). Maps each key to the id of the row holding it.
 */
export class UniqueIndex<T extends Row> implements RowIndex<T> {
  readonly #owners = new Map<string, string>();

  /**
   * @param description names the key in a conflict message, e.g. `a customer with this email`.
   * @param keyOf the row's key, or null when the row is not covered.
   * @param conflict the error for a row whose key is taken, when the port names a more precise one than `ConflictError`.
   */
  constructor(
    readonly description: string,
    private readonly keyOf: (row: T) => string | null,
    private readonly conflict?: (row: T) => Error,
  ) {}

  /** The id of the row holding `key`. */
  lookup(key: string): string | undefined {
    return this.#owners.get(key);
  }

  /** Throws `ConflictError` (or the index's own error) if another row already holds `row`'s key. */
  assertFree(row: T): void {
    const key = this.keyOf(row);
    if (key === null) return;
    const owner = this.#owners.get(key);
    if (owner === undefined || owner === row.id) return;
    throw this.conflict?.(row) ?? new ConflictError(`${this.description} already exists`);
  }

  add(row: T): void {
    const key = this.keyOf(row);
    if (key !== null) this.#owners.set(key, row.id);
  }

  remove(row: T): void {
    const key = this.keyOf(row);
    if (key !== null && this.#owners.get(key) === row.id) this.#owners.delete(key);
  }

  replace(before: T, after: T): void {
    if (this.keyOf(before) === this.keyOf(after)) return;
    this.remove(before);
    this.add(after);
  }
}

/** Joins the parts of a composite key unambiguously. */
export function compositeKey(...parts: readonly string[]): string {
  return parts.join('\u0000');
}
