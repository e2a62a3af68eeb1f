import { createHash } from 'node:crypto';
import { sqlState } from '../internal/errors.js';

/**
 * How many named statements one connection keeps prepared by default. The storage's whole repertoire is some 220
 * distinct texts with parameters (its conformance suite on the real server sends 220), a replica's busy set far fewer
 * (a sale rush's replica: 68), so the storage's own fixed statements are never evicted by each other; texts built
 * per call (an `IN` list of another length, a checkout of more items) take the least recently used slots. Measured
 * on PostgreSQL 15 (`pg_backend_memory_contexts`, the rush's 68 texts each run 6 times): 24 KB of the server's
 * memory a statement at the median, 44 KB on average, 391 KB at most (the job claim's CTE); 2.9 MB for the 68.
 * The bound is so about 11 MB a connection at worst.
 */
export const DEFAULT_PREPARED_PER_CONNECTION = 256;

/** What one connection has prepared of the statements the driver named. */
interface Prepared {
  /** Name → the {@link generation} it was prepared in; least recently used first (a `Map` keeps insertion order). */
  readonly byName: Map<string, number>;
  /** Names to close before anything else is sent on it: ones whose state on the server is in doubt. */
  closing: string[];
}

/**
 * Keyed by node-postgres's `Connection`, which lives as long as its socket, whatever pool holds it, and is shared by
 * every `fromPgPool` of one pool (so two of them never parse one name twice on one connection).
 */
const connections = new WeakMap<object, Prepared>();

/**
 * Raised when a statement prepared before is refused because the result type of what it reads changed (a column
 * added by a migration, on any replica): then every connection's statements of an older generation are closed and
 * prepared anew on their next use, not each refused once per connection.
 */
let generation = 0;

/** A statement's text → its name, for the texts sent lately (hashing a long text on every call costs more). */
const names = new Map<string, string>();
const NAMES_KEPT = 4096;

/** The name a text is prepared under: the same in every process and replica, unique to the text. */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= NAMES_KEPT) names.clear();
    name = `panelkit_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

/** What to write for one named statement on one connection. */
export interface StatementPlan {
  readonly name: string;
  /** Whether to send the statement's Parse (it is not prepared on this connection, or not in this generation). */
  readonly parse: boolean;
  /** Statements to close first (Close messages in the same round trip): evicted, or in doubt. */
  readonly close: readonly string[];
  readonly generation: number;
}

/**
 * Decides, as the statement is written to `connection`, whether it is parsed or only bound, and what is closed to
 * keep at most `max` prepared there; records it as prepared (a statement written after it on a pipelined
 * connection relies on the Parse before it).
 */
export function planStatement(connection: object, name: string, max: number): StatementPlan {
  let prepared = connections.get(connection);
  if (prepared === undefined) {
    prepared = { byName: new Map(), closing: [] };
    connections.set(connection, prepared);
  }
  const close = prepared.closing;
  prepared.closing = [];
  const at = prepared.byName.get(name);
  if (at === generation) {
    // Most recently used last.
    prepared.byName.delete(name);
    prepared.byName.set(name, at);
    return { name, parse: false, close, generation };
  }
  if (at !== undefined) {
    prepared.byName.delete(name);
    close.push(name);
  }
  prepared.byName.set(name, generation);
  for (const oldest of prepared.byName.keys()) {
    if (prepared.byName.size <= max) break;
    prepared.byName.delete(oldest);
    close.push(oldest);
  }
  return { name, parse: true, close, generation };
}

/** SQLSTATEs of a named statement refused for what the server holds under its name, not for what it says. */
const RESULT_TYPE_CHANGED = '0A000';
const DOES_NOT_EXIST = '26000';
const ALREADY_EXISTS = '42P05';

/**
 * Books a statement that failed: whatever was in doubt (its Parse, the closes written with it) is closed before the
 * next one on `connection`, and the statement parsed anew. `closed`: node-postgres closed it (a parameter it could
 * not encode). Whether it failed only for its prepared copy (stale
 * after a migration, gone, or a name taken on the server): sending it again then succeeds.
 */
export function statementFailed(connection: object, plan: StatementPlan, error: unknown, closed = false): boolean {
  const code = sqlState(error);
  const stale = (!plan.parse && (code === RESULT_TYPE_CHANGED || code === DOES_NOT_EXIST)) || code === ALREADY_EXISTS;
  const prepared = connections.get(connection);
  if (prepared === undefined) return stale;
  prepared.closing.push(...plan.close);
  if (plan.parse || stale || closed) {
    const at = prepared.byName.get(plan.name);
    // Prepared again since (in a newer generation), it is not this failure's to undo.
    if (at === plan.generation) prepared.byName.delete(plan.name);
    if (at === undefined || at === plan.generation) prepared.closing.push(plan.name);
  }
  if (stale && code === RESULT_TYPE_CHANGED && plan.generation === generation) generation++;
  return stale;
}

/** The names the driver holds prepared on `connection` (tests). */
export function preparedOn(connection: object): string[] {
  return [...(connections.get(connection)?.byName.keys() ?? [])];
}
