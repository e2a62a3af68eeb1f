/** What a query returns: its rows (column name → value as the driver decoded it). */
export interface SqlResult<R = Record<string, unknown>> {
  rows: R[];
}

/** Something that runs one parameterised statement: a pool, or one connection inside a transaction. */
export interface SqlQueryable {
  /** Runs one statement with `$1`-style parameters; rejects with the driver's error. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

/**
 * The small structural client the storage runs on, so the package depends on no driver. Wrap a
 * `pg` Pool with {@link fromPgPool} or a PGlite database with {@link fromPGlite}, or implement it
 * for another driver.
 */
export interface SqlClient extends SqlQueryable {
  /**
   * Runs `fn` on one connection between `BEGIN` and `COMMIT` (`ROLLBACK` when it throws, then
   * rethrows). Statements of other callers must never run inside it.
   */
  transaction<T>(fn: (connection: SqlQueryable) => Promise<T>): Promise<T>;
  /** Whether several connections may be open at once (a pool); false for PGlite. */
  readonly concurrent: boolean;
}
