/**
 * One statement on PGlite in one or two calls into the database instead of the six of `PGlite.query` (parse, describe
 * the statement, bind, describe the portal, execute, sync: each a call with its own copy in and out of WebAssembly and
 * its own parse of the answer). A statement without values (`BEGIN`, `COMMIT`, a savepoint) is all six messages in one
 * call. One with values is prepared (below): the call that prepares it also describes it; the next binds the values,
 * each serialised for the parameter type the database described (PGlite's own serialisers, as `query` does), executes
 * and syncs. Rows are parsed by the instance's parsers, as `query` parses them, and the file system is synced after the
 * statement, as `query` syncs it.
 *
 * A statement with parameters is prepared under a name the first time a database runs its text, and later runs of
 * the text are one call (bind, execute, sync), with the parameter types and columns it was described with: PGlite
 * plans an unnamed statement anew on every run, and planning a job claim's pick (some twenty common table expressions)
 * took 9-24 ms there against 1-3 ms to run it, so the claim's `force_generic_plan` was never reused. A statement whose
 * prepared copy the database refuses (its result type changed by a migration, or gone) is closed, and its error marked
 * stale (`isStaleStatement`), which the driver's caller answers by sending it again.
 */
import { randomBytes } from 'node:crypto';
import { markStaleStatement, sqlState } from '../internal/errors.js';

/** The part of a PGlite instance this needs; a `PGlite` instance fits as is. */
export interface PGliteProtocol {
  /** Sends frontend messages; resolves to the backend's, parsed; throws the database's error after the whole message ran. */
  execProtocolStream(message: Uint8Array, options?: { syncToFs?: boolean }): Promise<ReadonlyArray<BackendMessage>>;
  /** Holds PGlite's own query lock while `fn` runs. */
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  syncToFs(): Promise<void>;
  /** Text serialisers by parameter type id. */
  serializers: Record<number, ((value: never) => string) | undefined>;
  /** Text parsers by column type id. */
  parsers: Record<number, ((text: string, typeId: number) => unknown) | undefined>;
  /** Settles once the database has started (an instance made by `new PGlite()` starts after it is returned). */
  readonly waitReady?: Promise<void>;
}

/** The backend messages this reads (pg-protocol's parsed shapes). */
type BackendMessage =
  | { name: 'parameterDescription'; dataTypeIDs: number[] }
  | { name: 'rowDescription'; fields: Array<{ name: string; dataTypeID: number }> }
  | { name: 'dataRow'; fields: Array<string | null> }
  | { name: string };

/** Whether `db` offers the calls {@link runStatement} needs (PGlite does; a test double may not). */
export function speaksProtocol(db: object): db is PGliteProtocol {
  const d = db as Partial<PGliteProtocol>;
  return (
    typeof d.execProtocolStream === 'function' &&
    typeof d.runExclusive === 'function' &&
    typeof d.syncToFs === 'function' &&
    typeof d.serializers === 'object' &&
    typeof d.parsers === 'object'
  );
}

/**
 * How many statements one database keeps prepared: the storage's repertoire is some 220 texts with parameters (its
 * conformance suite), a running shop's busy set far fewer; the least recently used are closed past this.
 */
export const PREPARED_PER_DATABASE = 128;

/** A text prepared on a database: its name there, its parameters' types and its columns, as first described. */
interface Prepared {
  readonly name: string;
  readonly types: readonly number[];
  readonly fields: readonly Field[];
}

/** What one database holds prepared: by text, least recently used first (a `Map` keeps insertion order). */
interface Statements {
  readonly byText: Map<string, Prepared>;
  /** Names to close before the next statement: evicted, or refused for their prepared copy. */
  readonly closing: string[];
}

const databases = new WeakMap<PGliteProtocol, Statements>();

/**
 * Statement names are unique to this module's copy, not to a database: two wrappers of one database (a proxy of it)
 * keep their own books of it, and never name two statements alike there.
 */
const NAME_PREFIX = `panelkit_pglite_${randomBytes(4).toString('hex')}_`;
let named = 0;

/** SQLSTATEs of a prepared statement refused for what the database holds under its name, not for what it says. */
const STALE = new Set(['0A000', '26000']);

function statementsOf(db: PGliteProtocol): Statements {
  let statements = databases.get(db);
  if (statements === undefined) {
    statements = { byText: new Map(), closing: [] };
    databases.set(db, statements);
  }
  return statements;
}

/** Runs one statement with `params` (`null` and `undefined` are SQL NULL); its rows, parsed. */
export async function runStatement<R>(db: PGliteProtocol, text: string, params: readonly unknown[]): Promise<{ rows: R[] }> {
  // Before the lock: PGlite's start takes it too.
  await db.waitReady;
  if (params.length > 0) return db.runExclusive(() => runPrepared<R>(db, statementsOf(db), text, params));
  // Without values there is nothing to serialise for a described type: parse, bind, execute and sync in one call
  // (BEGIN, COMMIT, SAVEPOINT and RELEASE above all). An error skips the rest up to the sync, which is in the message.
  return db.runExclusive(async () => {
    let answer: ReadonlyArray<BackendMessage>;
    try {
      answer = await db.execProtocolStream(join([parse(text), bind([]), DESCRIBE_PORTAL, EXECUTE, SYNC]), { syncToFs: false });
    } catch (error) {
      throw withStatement(error, text, params);
    }
    await db.syncToFs();
    return { rows: rowsOf<R>(db, answer) };
  });
}

/** A statement with parameters on its prepared copy, prepared first when the database has none (see the top). */
async function runPrepared<R>(
  db: PGliteProtocol,
  statements: Statements,
  text: string,
  params: readonly unknown[],
): Promise<{ rows: R[] }> {
  let prepared = statements.byText.get(text);
  if (prepared === undefined) {
    for (const [oldest, { name }] of statements.byText) {
      if (statements.byText.size < PREPARED_PER_DATABASE) break;
      statements.byText.delete(oldest);
      statements.closing.push(name);
    }
    const name = `${NAME_PREFIX}${named++}`;
    let described: ReadonlyArray<BackendMessage>;
    try {
      // The closes run before the parse, whatever it does.
      const closes = statements.closing.splice(0).map(close);
      described = await db.execProtocolStream(join([...closes, parse(text, name), describe('S', name)]), { syncToFs: false });
    } catch (error) {
      // The database skips to the next sync after an error; nothing was prepared under the name.
      await db.execProtocolStream(SYNC, { syncToFs: false });
      throw withStatement(error, text, params);
    }
    prepared = { name, types: parameterTypes(described), fields: fieldsOf(db, described) };
  } else {
    statements.byText.delete(text);
  }
  // Most recently used last.
  statements.byText.set(text, prepared);
  const values = serialised(db, prepared.types, params);
  let answer: ReadonlyArray<BackendMessage>;
  try {
    const closes = statements.closing.splice(0).map(close);
    answer = await db.execProtocolStream(join([...closes, bind(values, prepared.name), EXECUTE, SYNC]), { syncToFs: false });
  } catch (error) {
    const code = sqlState(error);
    if (code !== undefined && STALE.has(code)) {
      statements.byText.delete(text);
      statements.closing.push(prepared.name);
      markStaleStatement(error);
    }
    throw withStatement(error, text, params);
  }
  await db.syncToFs();
  return { rows: rowsOf<R>(db, answer, prepared.fields) };
}

/** Each value in text form for the parameter type the database described (`null` and `undefined`: SQL NULL). */
function serialised(db: PGliteProtocol, types: readonly number[], params: readonly unknown[]): Array<string | null> {
  return params.map((value, i) => {
    if (value === null || value === undefined) return null;
    const serialize = db.serializers[types[i] ?? 0];
    return serialize === undefined ? String(value) : serialize(value as never);
  });
}

function parameterTypes(described: ReadonlyArray<BackendMessage>): number[] {
  const types = described.find((m): m is Extract<BackendMessage, { name: 'parameterDescription' }> => m.name === 'parameterDescription');
  return types?.dataTypeIDs ?? [];
}

/** A column of the rows: its name, and its parser (by the instance's parsers). */
interface Field {
  readonly name: string;
  readonly parse: ((text: string, typeId: number) => unknown) | undefined;
  readonly typeId: number;
}

/** The columns a description says the rows have; none when it has no row description. */
function fieldsOf(db: PGliteProtocol, messages: ReadonlyArray<BackendMessage>): Field[] {
  const description = messages.find((m): m is Extract<BackendMessage, { name: 'rowDescription' }> => m.name === 'rowDescription');
  return (description?.fields ?? []).map((f) => ({ name: f.name, parse: db.parsers[f.dataTypeID], typeId: f.dataTypeID }));
}

/**
 * The rows of the statement's answer, as PGlite's `parseResults` makes them (one object a row, by column name): by the
 * answer's row description, or `fields` (a prepared statement's, described when it was prepared).
 */
function rowsOf<R>(db: PGliteProtocol, messages: ReadonlyArray<BackendMessage>, fields: readonly Field[] = []): R[] {
  const rows: R[] = [];
  for (const message of messages) {
    if (message.name === 'rowDescription') {
      fields = fieldsOf(db, [message]);
    } else if (message.name === 'dataRow') {
      const values = (message as Extract<BackendMessage, { name: 'dataRow' }>).fields;
      rows.push(
        Object.fromEntries(
          values.map((value, i) => {
            const field = fields[i] as Field;
            return [field.name, value === null ? null : field.parse === undefined ? value : field.parse(value, field.typeId)];
          }),
        ) as R,
      );
    }
  }
  return rows;
}

/** The statement and its values on the database's error, as PGlite's query puts them there. */
function withStatement(error: unknown, text: string, params: readonly unknown[]): unknown {
  if (error instanceof Error && 'code' in error) Object.assign(error, { query: text, params: [...params] });
  return error;
}

const utf8 = new TextEncoder();

/** One frontend message: its type byte, its length, its body. */
function message(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type.charCodeAt(0);
  new DataView(out.buffer).setInt32(1, 4 + body.length);
  out.set(body, 5);
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Parse of statement `name` (the unnamed one by default), no parameter types given (the database infers them, as for `PGlite.query`). */
function parse(text: string, name = ''): Uint8Array {
  const sql = utf8.encode(text);
  const label = utf8.encode(name);
  const body = new Uint8Array(label.length + 1 + sql.length + 1 + 2);
  body.set(label, 0);
  body.set(sql, label.length + 1);
  return message('P', body);
}

/** Bind of the unnamed portal to statement `name` (the unnamed one by default): every value and column in text form. */
function bind(values: Array<string | null>, name = ''): Uint8Array {
  const label = utf8.encode(name);
  const encoded = values.map((v) => (v === null ? null : utf8.encode(v)));
  const size = 1 + label.length + 1 + 2 + 2 + encoded.reduce((n, v) => n + 4 + (v?.length ?? 0), 0) + 2;
  const body = new Uint8Array(size);
  const view = new DataView(body.buffer);
  // The portal's empty name, then the statement's.
  body.set(label, 1);
  let at = 1 + label.length + 1;
  view.setInt16(at, 0); // no parameter format codes: all text
  at += 2;
  view.setInt16(at, encoded.length);
  at += 2;
  for (const value of encoded) {
    view.setInt32(at, value === null ? -1 : value.length);
    at += 4;
    if (value !== null) {
      body.set(value, at);
      at += value.length;
    }
  }
  view.setInt16(at, 0); // no result format codes: all text
  return message('B', body);
}

/** Describe (`S`tatement or `P`ortal) of `name`. */
function describe(kind: 'S' | 'P', name = ''): Uint8Array {
  const label = utf8.encode(name);
  const body = new Uint8Array(1 + label.length + 1);
  body[0] = kind.charCodeAt(0);
  body.set(label, 1);
  return message('D', body);
}

/** Close of statement `name` (closing a name the database does not hold is no error). */
function close(name: string): Uint8Array {
  return message('C', describe('S', name).subarray(5));
}

const DESCRIBE_PORTAL = describe('P');
const EXECUTE = message('E', new Uint8Array(5));
const SYNC = message('S', new Uint8Array(0));
