import { Mutex } from '@panelkit/sdk/storage';
import type { SqlClient, SqlListener, SqlQueryable, SqlResult } from '../client.js';
import { isStaleStatement } from '../internal/errors.js';
import { runStatement, speaksProtocol } from './pglite-statement.js';

/** The part of a PGlite database the storage uses; a `PGlite` instance fits as is. */
export interface PGliteLike {
  /** Runs one statement. */
  query<T>(query: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** `LISTEN`s on the channel; resolves to the function that stops. Without it the storage has no `jobsQueued`. */
  listen?(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * A {@link SqlClient} over an embedded PGlite database. PGlite is one connection, so this wrapper
 * serialises callers: a transaction holds a mutex from `BEGIN` to `COMMIT`, and statements from
 * other callers wait for it instead of landing inside it (`LISTEN` too, which would otherwise join
 * an open transaction). Notifications reach this process alone, which is all that shares the database.
 */
export function fromPGlite(db: PGliteLike): SqlClient {
  const lock = new Mutex();
  // A PGlite instance runs a statement in two calls instead of its `query`'s six (pglite-statement.ts).
  const protocol = speaksProtocol(db) ? db : null;
  const raw: SqlQueryable = {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      if (protocol !== null) return runStatement<R>(protocol, text, params);
      const result = await db.query<R>(text, [...params]);
      return { rows: result.rows };
    },
  };
  const listen = db.listen?.bind(db);
  return {
    concurrent: false,
    // A statement alone refused for its prepared copy did nothing, and goes again (prepared anew).
    query: <R>(text: string, params?: readonly unknown[]) =>
      lock.run(async () => {
        try {
          return await raw.query<R>(text, params);
        } catch (error) {
          if (!isStaleStatement(error)) throw error;
          return raw.query<R>(text, params);
        }
      }),
    ...(listen === undefined
      ? {}
      : { listen: (channel: string, listener: SqlListener) => listenInProcess(lock, listen, channel, listener) }),
    transaction<T>(fn: (connection: SqlQueryable) => Promise<T>): Promise<T> {
      return lock.run(async () => {
        await raw.query('BEGIN');
        try {
          const result = await fn(raw);
          await raw.query('COMMIT');
          return result;
        } catch (error) {
          await raw.query('ROLLBACK');
          throw error;
        }
      });
    },
  };
}

/**
 * `SqlClient.listen` on the one PGlite connection: `LISTEN` under the driver's lock, once; a failure is reported to
 * `listener.lost` and not tried again (an embedded database does not go away; the worker polls).
 */
function listenInProcess(
  lock: Mutex,
  listen: NonNullable<PGliteLike['listen']>,
  channel: string,
  listener: SqlListener,
): () => Promise<void> {
  const started = lock
    .run(() => listen(channel, (payload) => listener.notification(payload)))
    .then(
      (unlisten) => {
        listener.listening();
        return unlisten;
      },
      (error: unknown) => {
        listener.lost(error);
        return undefined;
      },
    );
  return async () => {
    const unlisten = await started;
    if (unlisten !== undefined) await lock.run(() => unlisten()).catch(() => undefined);
  };
}
