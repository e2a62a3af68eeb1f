import {
  ConfigurationError,
  ConflictError,
  InternalError,
  NotFoundError,
  PanelkitError,
  StorageUnavailableError,
  ValidationError,
} from '@panelkit/sdk';

interface PgErrorLike {
  code?: unknown;
  schema?: unknown;
  constraint?: unknown;
  detail?: unknown;
  message?: unknown;
}

function pgError(error: unknown): PgErrorLike | undefined {
  return typeof error === 'object' && error !== null ? (error as PgErrorLike) : undefined;
}

export function sqlState(error: unknown): string | undefined {
  const code = pgError(error)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What a statement carrying its transaction's `COMMIT` raises where the transaction must go on instead (a text cast to
 * `integer`: plain SQL has no `RAISE`); `isCommitHeld` finds it in an error.
 */
export const COMMIT_HELD = 'panelkit: the commit is held';

/** Whether `error` is a statement's refusal to carry its transaction's `COMMIT` ({@link COMMIT_HELD}). */
export function isCommitHeld(error: unknown): boolean {
  const message = pgError(error)?.message;
  return sqlState(error) === '22P02' && typeof message === 'string' && message.includes(COMMIT_HELD);
}

/** The name of the constraint a database error names (a unique or foreign key refused), if it names one. */
export function constraintOf(error: unknown): string | undefined {
  const constraint = pgError(error)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** Serialisation failure or deadlock: the whole transaction may simply run again. */
export function isRetryableConflict(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40001' || code === '40P01';
}

/** What PostgreSQL answers a DDL statement that looked a name up in a catalog cache older than another session's commit. */
const STALE_CATALOG_STATES = new Set([
  '42P06', // duplicate_schema
  '42P07', // duplicate_table
  '42710', // duplicate_object
  '42P01', // undefined_table
  '3F000', // invalid_schema_name
]);

/**
 * Whether a schema change may have been refused for a name another session created (or dropped) meanwhile: a unique
 * violation on a system catalog (`CREATE SCHEMA IF NOT EXISTS` inserting a name already there) or a duplicate or
 * missing name. A session's catalog cache only catches up with other sessions' commits at certain points (a new
 * transaction, a table lock it did not hold); waiting on an advisory lock is not one of them, so a migration that
 * waited for another replica's may not see what that one made. A new transaction sees it.
 */
export function isStaleCatalogRefusal(error: unknown): boolean {
  const code = sqlState(error);
  if (code === '23505') return pgError(error)?.schema === 'pg_catalog';
  return code !== undefined && STALE_CATALOG_STATES.has(code);
}

/** Whether `error` is a unique violation (23505), on `constraint` when one is named. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return sqlState(error) === '23505' && (constraint === undefined || constraintOf(error) === constraint);
}

const staleStatements = new WeakSet<object>();

/**
 * Marks `error` as a named statement's refusal that sending it again cures: its prepared copy on the connection was
 * stale (a migration changed what a `SELECT *` returns: "cached plan must not change result type") or missing, and
 * the driver prepares it anew on its next use.
 */
export function markStaleStatement(error: unknown): void {
  if (typeof error === 'object' && error !== null) staleStatements.add(error);
}

/** Whether `error`, or an error it was caused by, is one {@link markStaleStatement} marked. */
export function isStaleStatement(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (staleStatements.has(e)) return true;
  }
  return false;
}

const deferredWrites = new WeakSet<object>();

/**
 * Marks `error` as a deferred write's (`SqlQueryable.defer`): it failed in the round trip of a later statement or of the
 * `COMMIT`, so that statement's caller did not cause it, and the transaction cannot commit.
 */
export function markDeferredWriteFailure(error: unknown): void {
  if (typeof error === 'object' && error !== null) deferredWrites.add(error);
}

/**
 * Whether `error`, or an error it was caused by, is one {@link markDeferredWriteFailure} marked; never a
 * {@link CommitOutcomeUnknown} (such a transaction must not run again).
 */
export function isDeferredWriteFailure(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof CommitOutcomeUnknown) return false;
    if (deferredWrites.has(e)) return true;
  }
  return false;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * The connection failed while `COMMIT` was on its way: the transaction may or may not have committed. Mapped to
 * a `StorageUnavailableError` that is not retryable, so nobody runs the transaction a second time over one that
 * went through.
 */
export class CommitOutcomeUnknown extends Error {
  constructor(override readonly cause: unknown) {
    super(`the connection failed during COMMIT: ${String((cause as { message?: unknown } | null)?.message ?? cause)}`);
  }
}

/** Whether the database cannot be reached or is going away (connection refused or lost, shutting down, starting up). */
export function isUnavailable(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code)) return true;
    // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now;
    // 57014: statement_timeout; 53: insufficient resources.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '57014' || code.startsWith('53'))
      return true;
  }
  const message = pgError(error)?.message;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    )
  );
}

/** `Key (panel_id)=(pnl_x) is not present in table "panels".` → entity and id. */
function missingReference(detail: unknown): { entity: string; id: string } {
  const match = typeof detail === 'string' ? /^Key \(([^)]+)\)=\((.*)\) is not present in table "([^"]+)"/.exec(detail) : null;
  if (match === null) return { entity: 'referenced row', id: '(unknown)' };
  const table = match[3]!;
  const entity = table.endsWith('ies') ? `${table.slice(0, -3)}y` : table.replace(/s$/, '');
  return { entity, id: match[2]! };
}

/**
 * Turns a driver error into the SDK's taxonomy: unique violations are conflicts, foreign-key
 * violations name the missing row, lost connections and timeouts are `StorageUnavailableError`
 * (retryable). Panelkit errors pass through unchanged.
 */
export function mapError(error: unknown): unknown {
  if (PanelkitError.is(error)) return error;
  if (error instanceof CommitOutcomeUnknown) {
    return new StorageUnavailableError(`the database may or may not have committed: ${error.message}`, { cause: error, retryable: false });
  }
  const code = sqlState(error);
  if (code === '23505') {
    return new ConflictError(`a unique key is already taken (${constraintOf(error) ?? 'unique constraint'})`, { cause: error });
  }
  if (code === '23503') {
    const { entity, id } = missingReference(pgError(error)?.detail);
    return new NotFoundError(entity, id, { cause: error });
  }
  if (code === '22021' || code === '22P05') {
    return new ValidationError(
      'invalid input: text the database cannot store (e.g. a NUL character)',
      [{ path: '(root)', message: 'invalid characters' }],
      { cause: error },
    );
  }
  // 42P01 undefined_table, 3F000 invalid_schema_name: the schema was never migrated (or is another one).
  if (code === '42P01' || code === '3F000') {
    return new ConfigurationError(
      `the storage's tables are missing (${String(pgError(error)?.message ?? code)}): run migrate(client, { schema }) from @panelkit/storage-postgres before using the storage, with the same schema`,
      { cause: error },
    );
  }
  if (isUnavailable(error) || isRetryableConflict(error)) {
    return new StorageUnavailableError(`the database could not complete the operation: ${String(pgError(error)?.message ?? error)}`, {
      cause: error,
    });
  }
  // Not from the database (a caller's own error thrown inside a transaction): pass it through as is.
  if (code === undefined) return error;
  return new InternalError(
    `unexpected database error${code === undefined ? '' : ` ${code}`}: ${String(pgError(error)?.message ?? error)}`,
    { cause: error },
  );
}
