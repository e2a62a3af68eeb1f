import { sqlState } from '../internal/errors.js';
import type { RowDecoder } from './pg-rows.js';

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

/** One statement prepared on a connection. */
interface Entry {
  /** The {@link generation} it was prepared in. */
  readonly generation: number;
  readonly text: string;
  /**
   * The rows it answers, as the server first described them (node-postgres's field descriptions), once known: a
   * prepared statement's result type is fixed while it stays prepared (the server refuses it rather than change it),
   * so it is bound and executed without asking again.
   */
  fields: readonly unknown[] | undefined;
  /** Its rows' decoder, booked with `fields` (`pg-rows.ts`); `undefined`: node-postgres decodes them. */
  decoder: RowDecoder | undefined;
}

/** What one connection has prepared of the statements the driver named. */
interface Prepared {
  /** Name → what is prepared under it; least recently used first (a `Map` keeps insertion order). */
  readonly byName: Map<string, Entry>;
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

/**
 * Names of the texts named lately: a text is hashed once, not on every run (the buyer's link's statement is some
 * 2 000 characters; a `Map` finds a text by the hash V8 keeps on the string).
 */
const names = new Map<string, string>();
/** At most this many names kept (the storage's repertoire is some 220 texts, {@link DEFAULT_PREPARED_PER_CONNECTION}). */
const NAMES_KEPT = 1024;

/**
 * The name a text is prepared under: the same in every process and replica ({@link hashName} of the text), remembered
 * for the texts named lately so a statement run again is not hashed again.
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = hashName(text);
    // Texts built per call (an `IN` list of each length) must not grow it for ever: past the bound it starts again.
    if (names.size >= NAMES_KEPT) names.clear();
    names.set(text, name);
  }
  return name;
}

/**
 * A 64-bit hash of the text (cyrb53's mixing, on two 32-bit lanes): no dependency, so the package stays free of Node's
 * modules, and two of the few hundred texts a host sends share a name with a chance below 1e-13 (and then
 * {@link planStatement} sends the second unnamed).
 */
function hashName(text: string): string {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `panelkit_${(h2 >>> 0).toString(16).padStart(8, '0')}${(h1 >>> 0).toString(16).padStart(8, '0')}`;
}

/** What to write for one named statement on one connection. */
export interface StatementPlan {
  readonly name: string;
  /** Whether to send the statement's Parse (it is not prepared on this connection, or not in this generation). */
  readonly parse: boolean;
  /** Statements to close first (Close messages in the same round trip): evicted, or in doubt. */
  readonly close: readonly string[];
  readonly generation: number;
  /** The preparation it runs under (what {@link statementDescribed} books its rows on). */
  readonly preparation: object;
  /** Its rows as described before on this connection (not parsed anew): no Describe is written for it. */
  readonly fields?: readonly unknown[];
  /** Its rows' decoder booked with `fields`, when there is one. */
  readonly decoder?: RowDecoder;
}

/**
 * Decides, as the statement is written to `connection`, whether it is parsed or only bound, and what is closed to
 * keep at most `max` prepared there; records it as prepared (a statement written after it on a pipelined
 * connection relies on the Parse before it). `undefined`: send it unnamed, its name being another text's here.
 */
export function planStatement(connection: object, name: string, text: string, max: number): StatementPlan | undefined {
  let prepared = connections.get(connection);
  if (prepared === undefined) {
    prepared = { byName: new Map(), closing: [] };
    connections.set(connection, prepared);
  }
  const at = prepared.byName.get(name);
  if (at !== undefined && at.text !== text) return undefined;
  const close = prepared.closing;
  prepared.closing = [];
  if (at?.generation === generation) {
    // Most recently used last.
    prepared.byName.delete(name);
    prepared.byName.set(name, at);
    return at.fields === undefined
      ? { name, parse: false, close, generation, preparation: at }
      : { name, parse: false, close, generation, preparation: at, fields: at.fields, decoder: at.decoder };
  }
  if (at !== undefined) {
    prepared.byName.delete(name);
    close.push(name);
  }
  const preparation: Entry = { generation, text, fields: undefined, decoder: undefined };
  prepared.byName.set(name, preparation);
  for (const oldest of prepared.byName.keys()) {
    if (prepared.byName.size <= max) break;
    prepared.byName.delete(oldest);
    close.push(oldest);
  }
  return { name, parse: true, close, generation, preparation };
}

/**
 * Books the rows a statement written under `plan` was described with (its RowDescription) and, when given, their
 * decoder, for its next runs on `connection`: only while the same preparation is in force (not closed, or prepared
 * anew, since it was written).
 */
export function statementDescribed(connection: object, plan: StatementPlan, fields: readonly unknown[], decoder?: RowDecoder): void {
  const at = connections.get(connection)?.byName.get(plan.name);
  if (at !== undefined && at === plan.preparation) {
    at.fields = fields;
    at.decoder = decoder;
  }
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
    const at = prepared.byName.get(plan.name)?.generation;
    // Prepared again since (in a newer generation), it is not this failure's to undo.
    if (at === plan.generation) prepared.byName.delete(plan.name);
    if (at === undefined || at === plan.generation) prepared.closing.push(plan.name);
  }
  if (stale && code === RESULT_TYPE_CHANGED && plan.generation === generation) generation++;
  return stale;
}
