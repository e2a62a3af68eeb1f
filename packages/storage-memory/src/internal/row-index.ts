/** A secondary structure kept in step with a table's rows. */
export interface RowIndex<T> {
  add(row: T): void;
  remove(row: T): void;
  /** Moves `before` to `after` (same id); cheap when the row's key did not change. */
  replace(before: T, after: T): void;
}

export interface Row {
  readonly id: string;
}
