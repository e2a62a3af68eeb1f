import type { SqlClient, SqlQueryable, SqlResult } from '../client.js';
import { CommitOutcomeUnknown, isUnavailable } from '../internal/errors.js';
import { listenOn, poolConnector } from './pg-listen.js';

/** The part of a `pg` `PoolClient` the storage uses. */
export interface PgPoolClientLike {
  /** Runs one statement on this connection. */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
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

/** The part of node-postgres's protocol writer (`Connection`) a statement with its `BEGIN` uses. */
interface PgWire {
  parse(message: { text: string }): void;
  bind(message: Record<string, never>): void;
  execute(message: Record<string, never>): void;
}

/** node-postgres's `Query` as far as {@link beginThenQuery} extends it. */
interface PgQuery {
  prepare(wire: PgWire): void;
  handleCommandComplete(message: unknown, wire: PgWire): void;
}

type PgQueryClass = new (config: {
  text: string;
  values: unknown[];
  queryMode: 'extended';
  callback: (error: Error | null, result?: { rows: unknown[] }) => void;
}) => PgQuery;

const beginThenClasses = new WeakMap<PgQueryClass, PgQueryClass>();

/**
 * A node-postgres query that sends `BEGIN` in the same round trip as the transaction's first statement: `BEGIN`'s
 * Parse, Bind and Execute written ahead of the statement's own messages, under its one Sync (the extended
 * protocol runs them in order; an error in either skips the rest up to the Sync, and the query fails with it).
 * Its answer is the statement's: `BEGIN`'s completion is not counted as a result. `undefined` when `connection`
 * is not a node-postgres client (its class has no `Query` with `prepare`): then `BEGIN` goes alone, as before.
 */
function beginThenQuery(connection: PgPoolClientLike): ((text: string, values: unknown[]) => Promise<{ rows: unknown[] }>) | undefined {
  const Query = (connection.constructor as { Query?: PgQueryClass } | undefined)?.Query;
  if (
    typeof Query !== 'function' ||
    typeof Query.prototype?.prepare !== 'function' ||
    typeof Query.prototype.handleCommandComplete !== 'function'
  )
    return undefined;
  let BeginThen = beginThenClasses.get(Query);
  if (BeginThen === undefined) {
    BeginThen = class extends Query {
      private begun = false;
      override prepare(wire: PgWire): void {
        wire.parse({ text: 'BEGIN' });
        wire.bind({});
        wire.execute({});
        super.prepare(wire);
      }
      override handleCommandComplete(message: unknown, wire: PgWire): void {
        if (!this.begun) this.begun = true;
        else super.handleCommandComplete(message, wire);
      }
    };
    beginThenClasses.set(Query, BeginThen);
  }
  const Folded = BeginThen;
  const submit = connection.query as unknown as (query: PgQuery) => unknown;
  return (text, values) =>
    new Promise((resolve, reject) => {
      submit.call(
        connection,
        new Folded({ text, values, queryMode: 'extended', callback: (error, result) => (error ? reject(error) : resolve(result!)) }),
      );
    });
}

function queryable(target: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }): SqlQueryable {
  return {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const result = await target.query(text, [...params]);
      return { rows: result.rows as R[] };
    },
  };
}

/**
 * A {@link SqlClient} over a node-postgres `Pool`. The pool stays the host's: the storage never
 * ends it. Each transaction checks out one connection and sends its `BEGIN` with its first statement when that
 * has parameters, in one round trip (a transaction that sends nothing sends no `BEGIN` nor `COMMIT`); a connection whose `ROLLBACK` fails is
 * destroyed rather than returned to the pool. `listen` (the storage's `jobsQueued`) opens one more
 * connection of the pool's class and options, outside the pool, while a worker listens; a pool-like
 * object without `Client` and `options` (a `pg.Pool` has both) gets no `listen`, and workers poll.
 */
export function fromPgPool(pool: PgPoolLike): SqlClient {
  const direct = queryable(pool);
  const connector = poolConnector(pool);
  return {
    concurrent: true,
    query: direct.query,
    ...(connector === undefined ? {} : { listen: (channel, listener) => listenOn(connector, channel, listener) }),
    async transaction<T>(fn: (connection: SqlQueryable) => Promise<T>): Promise<T> {
      const connection = await pool.connect();
      // A drop between statements also fails the next statement, which is where it is handled.
      let dropped: Error | false = false;
      const onError = (error: Error) => {
        dropped = error;
      };
      connection.on?.('error', onError);
      const release = (destroy: Error | false) => {
        connection.removeListener?.('error', onError);
        connection.release(destroy === false ? dropped : destroy);
      };
      const beginThen = beginThenQuery(connection);
      if (beginThen === undefined) {
        try {
          await connection.query('BEGIN');
        } catch (error) {
          // The connection failed before anything ran: do not hand it to the next caller.
          release(error instanceof Error ? error : new Error(String(error)));
          throw error;
        }
      }
      /** Whether `BEGIN` was sent (a node-postgres client sends it with the first statement: one round trip fewer). */
      let begun = beginThen === undefined;
      const statements = queryable(connection);
      const inTransaction: SqlQueryable = {
        async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
          if (begun || beginThen === undefined) return statements.query<R>(text, params);
          begun = true;
          // Only a statement with parameters rides with `BEGIN`: node-postgres sends those by the extended protocol
          // anyway, which takes one command; a text without any may hold several (a script), sent as it always was.
          if (params.length === 0) {
            await connection.query('BEGIN');
            return statements.query<R>(text, params);
          }
          const result = await beginThen(text, [...params]);
          return { rows: result.rows as R[] };
        },
      };
      let broken: Error | false = false;
      try {
        const result = await fn(inTransaction);
        // No statement, no transaction: nothing to commit.
        if (!begun) return result;
        try {
          await connection.query('COMMIT');
        } catch (error) {
          // Lost on the way: committed or not, nobody can say (a refused COMMIT, e.g. a serialisation failure, is an answer).
          throw isUnavailable(error) ? new CommitOutcomeUnknown(error) : error;
        }
        return result;
      } catch (error) {
        try {
          // Also after a first statement that failed: its `BEGIN` may have run (a `ROLLBACK` outside a transaction
          // only warns).
          if (begun) await connection.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        release(broken);
      }
    },
  };
}
