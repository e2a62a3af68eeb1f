import type { SqlQueryable } from '../client.js';

/** What the statements of one call did, as {@link watchStatements} saw them. */
export interface StatementWatch {
  /** The database failed one of them (the transaction they ran in is aborted, or its connection gone). */
  failed: boolean;
  /** One that may have written went through (anything but a `SELECT`, or an `UPDATE … RETURNING` that returned no row). */
  wrote: boolean;
}

/** A plain `SELECT` (with or without a row lock) writes nothing; every other statement is taken to write. */
const READ_ONLY = /^\s*SELECT\b/i;

/**
 * A plain `UPDATE … RETURNING` returns every row it wrote, so one that returned none wrote nothing (a
 * conditional write that did not match, such as a stale revision). Only a statement that starts with
 * `UPDATE`: a data-modifying `WITH` may write more than its last part returns.
 */
const UPDATE_RETURNING = /^\s*UPDATE\b[\s\S]*\bRETURNING\b/i;

/**
 * `db` as seen by one call, and what its statements did: enough to tell whether a call that threw left
 * its transaction as it was (nothing written, nothing failed by the database) or not. A write it defers (`db.defer`,
 * when `db` has it) counts as written: it will run whatever the call does next.
 */
export function watchStatements(db: SqlQueryable): { db: SqlQueryable; watch: StatementWatch } {
  const watch: StatementWatch = { failed: false, wrote: false };
  return {
    watch,
    db: {
      async query<R>(text: string, params?: readonly unknown[]) {
        try {
          const result = await db.query<R>(text, params);
          if (!READ_ONLY.test(text) && !(result.rows.length === 0 && UPDATE_RETURNING.test(text))) watch.wrote = true;
          return result;
        } catch (error) {
          watch.failed = true;
          throw error;
        }
      },
      ...(db.defer === undefined
        ? {}
        : {
            defer(text: string, params: readonly unknown[]) {
              watch.wrote = true;
              db.defer!(text, params);
            },
          }),
    },
  };
}
