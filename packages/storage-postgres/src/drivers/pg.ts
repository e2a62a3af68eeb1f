import { ConfigurationError } from '@panelkit/sdk';
import type { SqlClient, SqlQueryable, SqlResult } from '../client.js';
import { CommitOutcomeUnknown, isStaleStatement, isUnavailable } from '../internal/errors.js';
import { listenOn, poolConnector } from './pg-listen.js';
import { type AheadCommand, type PgQueryClass, pgQueryClass, type SendOptions, sendStatement, type Submitter } from './pg-query.js';
import { DEFAULT_PREPARED_PER_CONNECTION } from './pg-statements.js';

/** The part of a `pg` `PoolClient` the storage uses. */
export interface PgPoolClientLike {
  /** Runs one statement on this connection (`command`: its tag, as `pg` gives it). */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; command?: string | null }>;
  /** Pass an error to destroy the connection instead of returning it to the pool. */
  release(destroy?: Error | boolean): void;
  /**
   * A `pg` client emits `error` when its connection drops between statements; the pool listens only while the
   * client is idle, so the storage listens while it holds one (an unheard `error` event ends the process).
   */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  /** Stops listening (see `on`). */
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a `pg` `Pool` the storage uses; a `pg.Pool` fits as is. */
export interface PgPoolLike {
  /** Runs one statement on any free connection. */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  /** Checks out one connection (for a transaction); the storage releases it. */
  connect(): Promise<PgPoolClientLike>;
}

/** Options of {@link fromPgPool}. */
export interface PgPoolOptions {
  /**
   * Send every statement with parameters as a named (prepared) statement, named after its text: each connection
   * parses and plans it the first time only, and runs it bound to new values after (PostgreSQL's CPU for a short
   * statement falls by half or more). Default `true`. Set `false` behind a pooler that hands one session's
   * statements to several server connections: PgBouncer in `transaction` or `statement` mode before 1.21, or
   * from 1.21 without `max_prepared_statements` set (named statements then fail with "prepared statement does
   * not exist"). PGlite (`fromPGlite`) is not concerned.
   */
  prepare?: boolean;
  /**
   * The most statements kept prepared on one connection (default 256); past it the least recently used is closed
   * (in the round trip of the next statement), so texts built per call (an `IN` list, a bulk `VALUES`) cannot fill
   * the server's memory. Each costs the server some 25–60 KB of the connection's memory (390 KB for the largest).
   */
  preparedPerConnection?: number;
}

/**
 * How many times a statement or transaction is sent when what stood in its way was its prepared copy (stale after a
 * migration, gone): a second migration of another table may land between two tries.
 */
const STALE_TRIES = 3;

function queryable(target: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }): SqlQueryable {
  return {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const result = await target.query(text, [...params]);
      return { rows: result.rows as R[] };
    },
  };
}

/** How many statements a connection keeps prepared, or `undefined` for none; a bad value is a `ConfigurationError`. */
function preparedPerConnection(options: PgPoolOptions): number | undefined {
  if (options.prepare === false) return undefined;
  const max = options.preparedPerConnection ?? DEFAULT_PREPARED_PER_CONNECTION;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new ConfigurationError(`fromPgPool: preparedPerConnection must be a whole number from 1 (got ${String(max)})`);
  }
  return max;
}

/**
 * A {@link SqlClient} over a node-postgres `Pool`. The pool stays the host's: the storage never ends it.
 *
 * Statements with parameters go as named statements (`options.prepare`, default on), each connection parsing and
 * planning one only the first time it is sent there, at most `options.preparedPerConnection` kept a connection
 * (least recently used closed first). When a migration changes what a prepared `SELECT *` returns (a column added,
 * by this replica or another), PostgreSQL refuses the old plan: the statement is prepared anew and sent again,
 * on every connection, once. Outside a transaction that is invisible; inside one the refusal has aborted the
 * transaction, so it is rolled back and `fn` run again from the start (a storage transaction's callback may run
 * again anyway, as on a serialisation failure). Statements without parameters go by the simple protocol, as text.
 *
 * Each transaction checks out one connection and sends its `BEGIN` with its first statement when that has
 * parameters, in one round trip (a transaction that sends nothing sends no `BEGIN` nor `COMMIT`), the commands given
 * to its connection's `sendAhead` with the statement that follows them, in its round trip too, the writes given to
 * `defer` with the next statement with parameters (alone before one without) or else with the `COMMIT`, and its
 * `COMMIT` with its last statement when `commitWithNext` says which that is; a connection whose `ROLLBACK` fails is destroyed
 * rather than returned to the pool. `listen` (the storage's `jobsQueued`) opens one more connection of the pool's
 * class and options, outside the pool, while a worker listens; a pool-like object without `Client` and `options` (a
 * `pg.Pool` has both) gets no `listen`, and workers poll. A pool whose clients are not node-postgres's (no
 * `Client.Query`) gets its statements as text, unnamed, `BEGIN` on its own, and no `defer`.
 */
export function fromPgPool(pool: PgPoolLike, options: PgPoolOptions = {}): SqlClient {
  const perConnection = preparedPerConnection(options);
  const PoolQuery = pgQueryClass((pool as { Client?: unknown }).Client);
  const direct = queryable(pool);
  const connector = poolConnector(pool);
  const named: SendOptions = { begin: false, preparedPerConnection: perConnection };
  return {
    concurrent: true,
    query:
      PoolQuery === undefined || perConnection === undefined
        ? direct.query
        : async <R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> => {
            if (params.length === 0) return direct.query<R>(text, params);
            for (let tries = 1; ; tries++) {
              try {
                const result = await sendStatement(PoolQuery, pool as unknown as Submitter, text, [...params], named);
                return { rows: result.rows as R[] };
              } catch (error) {
                // A statement alone is its own transaction: refused, it did nothing, and may go again.
                if (tries >= STALE_TRIES || !isStaleStatement(error)) throw error;
              }
            }
          },
    ...(connector === undefined ? {} : { listen: (channel, listener) => listenOn(connector, channel, listener) }),
    async transaction<T>(fn: (connection: SqlQueryable) => Promise<T>): Promise<T> {
      const connection = await pool.connect();
      // A drop between statements also fails the next statement, which is where it is handled.
      let dropped: Error | false = false;
      const onError = (error: Error) => {
        dropped = error;
      };
      connection.on?.('error', onError);
      let broken: Error | false = false;
      try {
        const Query = pgQueryClass(connection.constructor);
        for (let tries = 1; ; tries++) {
          const outcome = await transactionOn(connection, Query, perConnection, fn);
          if ('result' in outcome) return outcome.result;
          broken = outcome.broken;
          // Refused for a prepared statement's copy (then prepared anew), the transaction is rolled back: run it again.
          if (broken !== false || tries >= STALE_TRIES || !outcome.stale) throw outcome.error;
        }
      } catch (error) {
        // The connection failed before anything ran (a `BEGIN` sent alone): do not hand it to the next caller.
        if (broken === false && error instanceof BeginFailed) broken = error.cause;
        throw error instanceof BeginFailed ? error.cause : error;
      } finally {
        connection.removeListener?.('error', onError);
        connection.release(broken === false ? dropped : broken);
      }
    },
  };
}

/** A `BEGIN` sent alone failed (the connection is not handed on). */
class BeginFailed extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

/** How one run of a transaction ended. */
type Outcome<T> =
  | { result: T }
  | {
      error: unknown;
      /** The `ROLLBACK` failed: the connection is destroyed with this error. */
      broken: Error | false;
      /** It failed for a prepared statement's copy, since prepared anew: running it again cures it. */
      stale: boolean;
    };

/** Runs `fn` once between `BEGIN` and `COMMIT` on `connection`; a `BEGIN` sent alone that fails throws `BeginFailed`. */
async function transactionOn<T>(
  connection: PgPoolClientLike,
  Query: PgQueryClass | undefined,
  perConnection: number | undefined,
  fn: (connection: SqlQueryable) => Promise<T>,
): Promise<Outcome<T>> {
  if (Query === undefined) {
    try {
      await connection.query('BEGIN');
    } catch (error) {
      throw new BeginFailed(error instanceof Error ? error : new Error(String(error)));
    }
  }
  /** Whether `BEGIN` was sent (a node-postgres client sends it with the first statement: one round trip fewer). */
  let begun = Query === undefined;
  /** Whether a statement was refused for its prepared copy (the transaction is aborted, whatever `fn` does next). */
  let stale = false;
  /** Commands (`sendAhead`) and deferred writes (`defer`) to send before the next statement, in order. */
  const ahead: AheadCommand[] = [];
  /** Whether the next statement with parameters carries the `COMMIT` (`commitWithNext`). */
  let commitNext = false;
  /** Whether a statement carried the `COMMIT` and it ran: the transaction is over. */
  let ended = false;
  const hasDeferred = () => ahead.some((command) => command.values !== undefined);

  /** Sends one statement with `BEGIN` (when not sent yet) and everything queued ahead of it, in one round trip. */
  async function send(text: string, values: unknown[], options: { commit: boolean; deferred: boolean }) {
    const begin = !begun;
    begun = true;
    try {
      return await sendStatement(Query!, connection as unknown as Submitter, text, values, {
        begin,
        ahead: ahead.splice(0),
        commit: options.commit,
        deferred: options.deferred,
        preparedPerConnection: perConnection,
      });
    } catch (error) {
      // Lost on the way with its `COMMIT`: committed or not, nobody can say.
      throw options.commit && isUnavailable(error) ? new CommitOutcomeUnknown(error) : error;
    }
  }

  /** Sends the deferred writes queued, and the commands before them, the last write as the statement (with `commit`). */
  async function sendDeferred(commit: boolean): Promise<void> {
    const after = ahead.splice(ahead.findLastIndex((command) => command.values !== undefined) + 1);
    const last = ahead.pop()!;
    await send(last.text, [...last.values!], { commit, deferred: true });
    ahead.push(...after);
  }

  const inTransaction: SqlQueryable = {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      if (ended) throw new Error('the transaction was committed with its last statement (commitWithNext); nothing may follow it');
      try {
        // Only a statement with parameters rides with `BEGIN`: node-postgres sends those by the extended protocol
        // anyway, which takes one command; a text without any may hold several (a script), sent as it always was.
        if (Query === undefined || params.length === 0) {
          commitNext = false;
          // The deferred writes go first, in a round trip of their own (this text cannot carry them).
          if (hasDeferred()) await sendDeferred(false);
          if (!begun) {
            begun = true;
            await connection.query('BEGIN');
          }
          for (const command of ahead.splice(0)) await connection.query(command.text);
          const result = await connection.query(text, [...params]);
          return { rows: result.rows as R[] };
        }
        const commit = commitNext;
        commitNext = false;
        const result = await send(text, [...params], { commit, deferred: false });
        ended = commit;
        return { rows: result.rows as R[] };
      } catch (error) {
        if (isStaleStatement(error)) stale = true;
        throw error;
      }
    },
    sendAhead(text: string): void {
      ahead.push({ text });
    },
    commitWithNext(): void {
      // A statement without parameters goes alone (see above): the transaction's own `COMMIT` then ends it, as always.
      if (Query !== undefined) commitNext = true;
    },
    ...(Query === undefined
      ? {}
      : {
          defer(text: string, params: readonly unknown[]): void {
            if (ended) throw new Error('the transaction was committed with its last statement (commitWithNext); nothing may follow it');
            ahead.push({ text, values: [...params] });
          },
        }),
  };
  try {
    const result = await fn(inTransaction);
    // Deferred writes left: sent with the `COMMIT`, in one round trip (not after a refusal: that `COMMIT` rolls back).
    if (!ended && !stale && hasDeferred()) {
      await sendDeferred(true);
      return { result };
    }
    // No statement, no transaction: nothing to commit. Or committed already, with its last statement.
    if (!begun || ended) return { result };
    let committed: { command?: string | null };
    try {
      committed = await connection.query('COMMIT');
    } catch (error) {
      // Lost on the way: committed or not, nobody can say (a refused COMMIT, e.g. a serialisation failure, is an answer).
      throw isUnavailable(error) ? new CommitOutcomeUnknown(error) : error;
    }
    // `fn` went on past the refusal: the database answered the `COMMIT` with a `ROLLBACK`, and nothing was written.
    if (stale && committed.command === 'ROLLBACK') return { error: new Error('the transaction was rolled back'), broken: false, stale };
    return { result };
  } catch (error) {
    let broken: Error | false = false;
    try {
      // Also after a first statement that failed: its `BEGIN` may have run (a `ROLLBACK` outside a transaction only warns).
      if (begun && !ended) await connection.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    return { error, broken, stale: isStaleStatement(error) };
  }
}
