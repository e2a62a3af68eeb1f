/**
 * One statement on PGlite in two calls into the database instead of the six of `PGlite.query` (parse, describe the
 * statement, bind, describe the portal, execute, sync: each a call with its own copy in and out of WebAssembly and its
 * own parse of the answer). The first call parses and describes the statement; the second binds the values, each
 * serialised for the parameter type the database described (PGlite's own serialisers, as `query` does), executes and
 * syncs. Rows are parsed by the instance's parsers, as `query` parses them, and the file system is synced after the
 * statement, as `query` syncs it.
 */

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

/** Runs one statement with `params` (`null` and `undefined` are SQL NULL); its rows, parsed. */
export async function runStatement<R>(db: PGliteProtocol, text: string, params: readonly unknown[]): Promise<{ rows: R[] }> {
  // Before the lock: PGlite's start takes it too.
  await db.waitReady;
  return db.runExclusive(async () => {
    let described: ReadonlyArray<BackendMessage>;
    try {
      described = await db.execProtocolStream(join([parse(text), DESCRIBE_STATEMENT]), { syncToFs: false });
    } catch (error) {
      // The database skips to the next sync after an error; PGlite's query sends it too.
      await db.execProtocolStream(SYNC, { syncToFs: false });
      throw withStatement(error, text, params);
    }
    const types = described.find((m): m is Extract<BackendMessage, { name: 'parameterDescription' }> => m.name === 'parameterDescription');
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serialize = db.serializers[types?.dataTypeIDs[i] ?? 0];
      return serialize === undefined ? String(value) : serialize(value as never);
    });
    let answer: ReadonlyArray<BackendMessage>;
    try {
      answer = await db.execProtocolStream(join([bind(values), DESCRIBE_PORTAL, EXECUTE, SYNC]), { syncToFs: false });
    } catch (error) {
      throw withStatement(error, text, params);
    }
    await db.syncToFs();
    return { rows: rowsOf<R>(db, answer) };
  });
}

/** The rows of the statement's answer, as PGlite's `parseResults` makes them (one object a row, by column name). */
function rowsOf<R>(db: PGliteProtocol, messages: ReadonlyArray<BackendMessage>): R[] {
  let fields: Array<{ name: string; parse: ((text: string, typeId: number) => unknown) | undefined; typeId: number }> = [];
  const rows: R[] = [];
  for (const message of messages) {
    if (message.name === 'rowDescription') {
      fields = (message as Extract<BackendMessage, { name: 'rowDescription' }>).fields.map((f) => ({
        name: f.name,
        parse: db.parsers[f.dataTypeID],
        typeId: f.dataTypeID,
      }));
    } else if (message.name === 'dataRow') {
      const values = (message as Extract<BackendMessage, { name: 'dataRow' }>).fields;
      rows.push(
        Object.fromEntries(
          values.map((value, i) => {
            const field = fields[i] as (typeof fields)[number];
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

/** Parse of the unnamed statement, no parameter types given (the database infers them, as for `PGlite.query`). */
function parse(text: string): Uint8Array {
  const sql = utf8.encode(text);
  const body = new Uint8Array(1 + sql.length + 1 + 2);
  body.set(sql, 1);
  return message('P', body);
}

/** Bind of the unnamed portal: every value in text form, every column back in text form. */
function bind(values: Array<string | null>): Uint8Array {
  const encoded = values.map((v) => (v === null ? null : utf8.encode(v)));
  const size = 2 + 2 + 2 + 2 * 0 + encoded.reduce((n, v) => n + 4 + (v?.length ?? 0), 0) + 2;
  const body = new Uint8Array(size);
  const view = new DataView(body.buffer);
  let at = 2; // the portal's and the statement's empty names
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

const DESCRIBE_STATEMENT = message('D', new Uint8Array([0x53, 0]));
const DESCRIBE_PORTAL = message('D', new Uint8Array([0x50, 0]));
const EXECUTE = message('E', new Uint8Array(5));
const SYNC = message('S', new Uint8Array(0));
