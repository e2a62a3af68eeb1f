/** What a query returns: its rows (column name → value as the driver decoded it). */
export interface SqlResult<R = Record<string, unknown>> {
  rows: R[];
}

/** Something that runs one parameterised statement: a pool, or one connection inside a transaction. */
export interface SqlQueryable {
  /** Runs one statement with `$1`-style parameters; rejects with the driver's error. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /**
   * Optional, on a transaction's connection: runs `text` (one command without parameters whose answer is not needed,
   * such as a `SET LOCAL`) right before the next statement sent with parameters, written into that statement's round
   * trip; when the database fails it, that statement is not run and rejects with its error. Nothing runs it if no
   * such statement follows. Without this method, send the command with `query`.
   */
  sendAhead?(text: string): void;
  /**
   * Optional, on a transaction's connection: the next statement, when it has parameters, carries the transaction's
   * `COMMIT` in its round trip (one round trip fewer), and the transaction ends with it: once it has answered, nothing
   * more may be sent, and the transaction's callback must not fail after it (what it wrote stays). A statement that
   * fails is not committed (the transaction is rolled back as after any failure); one without parameters carries
   * nothing, and the transaction commits when its callback returns, as usual.
   */
  commitWithNext?(): void;
  /**
   * Optional, on a transaction's connection: the write `text` with `params`, whose answer the caller does not read, sent
   * in the round trip of the next statement or, when none follows, of the transaction's `COMMIT` (one round trip
   * fewer), run before it and after every statement and command given before, in order. When the database fails it
   * (or a parameter does not encode), the statement or `COMMIT` carrying it rejects with its error, marked
   * (`isDeferredWriteFailure`), and does not run: the transaction is rolled back. Without this method, send the write
   * with `query`.
   */
  defer?(text: string, params: readonly unknown[]): void;
}

/**
 * The small structural client the storage runs on, so the package depends on no driver. Wrap a
 * `pg` Pool with {@link fromPgPool} or a PGlite database with {@link fromPGlite}, or implement it
 * for another driver.
 */
export interface SqlClient extends SqlQueryable {
  /**
   * Runs `fn` on one connection between `BEGIN` and `COMMIT` (`ROLLBACK` when it throws, then
   * rethrows). Statements of other callers must never run inside it. A driver may roll back and run `fn` again
   * when the database refused one of its statements for what running it again cures (`fromPgPool`: a prepared
   * statement a migration made stale), so `fn` does nothing outside the database.
   */
  transaction<T>(fn: (connection: SqlQueryable) => Promise<T>): Promise<T>;
  /** Whether several connections may be open at once (a pool); false for PGlite. */
  readonly concurrent: boolean;
  /**
   * Optional: `LISTEN`s on `channel` until the returned function is called (it resolves once listening has ended),
   * on a connection of its own where the driver has several (a pool's connections stay free for statements). A
   * connection that fails or drops is opened again, after a backoff, for as long as it takes; `listener` hears of
   * each loss and each (re)opening. Without it the storage has no `jobsQueued` and workers poll.
   */
  listen?(channel: string, listener: SqlListener): () => Promise<void>;
}

/** What {@link SqlClient.listen} tells its caller. Never throws into the driver: a listener's error is its own. */
export interface SqlListener {
  /** A notification on the channel, with its payload (`''` when none). */
  notification(payload: string): void;
  /** Listening has begun, or begun again after a loss (notifications sent meanwhile are lost). */
  listening(): void;
  /** The listening connection failed or dropped (it is opened again after a backoff). */
  lost(error: unknown): void;
}
