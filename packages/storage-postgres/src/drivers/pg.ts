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
 * ends it. Each transaction checks out one connection; a connection whose `ROLLBACK` fails is
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
      try {
        await connection.query('BEGIN');
      } catch (error) {
        // The connection failed before anything ran: do not hand it to the next caller.
        release(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
      let broken: Error | false = false;
      try {
        const result = await fn(queryable(connection));
        try {
          await connection.query('COMMIT');
        } catch (error) {
          // Lost on the way: committed or not, nobody can say (a refused COMMIT, e.g. a serialisation failure, is an answer).
          throw isUnavailable(error) ? new CommitOutcomeUnknown(error) : error;
        }
        return result;
      } catch (error) {
        try {
          await connection.query('ROLLBACK');
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
