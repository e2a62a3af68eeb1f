import { Mutex } from '@panelkit/sdk/storage';
import type { SqlClient, SqlQueryable, SqlResult } from '../client.js';

/** The part of a PGlite database the storage uses; a `PGlite` instance fits as is. */
export interface PGliteLike {
  /** Runs one statement. */
  query<T>(query: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/**
 * A {@link SqlClient} over an embedded PGlite database. PGlite is one connection, so this wrapper
 * serialises callers: a transaction holds a mutex from `BEGIN` to `COMMIT`, and statements from
 * other callers wait for it instead of landing inside it.
 */
export function fromPGlite(db: PGliteLike): SqlClient {
  const lock = new Mutex();
  const raw: SqlQueryable = {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const result = await db.query<R>(text, [...params]);
      return { rows: result.rows };
    },
  };
  return {
    concurrent: false,
    query: <R>(text: string, params?: readonly unknown[]) => lock.run(() => raw.query<R>(text, params)),
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
