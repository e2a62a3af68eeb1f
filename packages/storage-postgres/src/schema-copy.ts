/**
 * Copying a schema's rows out and back in, whatever its tables: what a backup of the engine's schema (or of a host's
 * own schema beside it) needs, so no host runs SQL on the engine's tables to dump or restore them. Rows travel as
 * PostgreSQL's own JSON of the row (`row_to_json`) and come back through `json_populate_recordset`, so every type
 * round-trips as the server writes it.
 */
import type { SqlClient, SqlQueryable } from './client.js';
import { checkSchemaName, quoteIdent } from './internal/sql.js';

/** A table of a schema, with the columns an INSERT may write (generated columns are left out). */
export interface SchemaTable {
  name: string;
  columns: string[];
}

/** What {@link schemaTables} leaves out. */
export interface SchemaTablesOptions {
  /** Table names not to list, e.g. the migrations bookkeeping each build writes itself. */
  exclude?: Iterable<string>;
}

/**
 * The ordinary and partitioned tables of `schema`, parents before the tables whose foreign keys point at them, so
 * rows inserted in this order pass every constraint as they go (a table's foreign keys to itself, and cycles, do not
 * reorder it). Tables are otherwise in name order; columns are in their table's order.
 */
export async function schemaTables(db: SqlQueryable, schema: string, options: SchemaTablesOptions = {}): Promise<SchemaTable[]> {
  checkSchemaName(schema);
  const exclude = new Set(options.exclude ?? []);
  const { rows: columns } = await db.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const { rows: links } = await db.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_namespace pn ON pn.oid = p.relnamespace
      WHERE k.contype = 'f' AND n.nspname = $1 AND pn.nspname = $1 AND c.oid <> p.oid`,
    [schema],
  );
  const byTable = new Map<string, string[]>();
  for (const row of columns) {
    if (exclude.has(row.table)) continue;
    byTable.set(row.table, [...(byTable.get(row.table) ?? []), row.column]);
  }
  const parents = new Map<string, Set<string>>([...byTable.keys()].map((t) => [t, new Set<string>()]));
  for (const link of links) parents.get(link.child)?.add(link.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  const place = (table: string, path: Set<string>) => {
    if (placed.has(table) || path.has(table)) return;
    path.add(table);
    for (const parent of parents.get(table) ?? []) if (byTable.has(parent)) place(parent, path);
    placed.add(table);
    ordered.push(table);
  };
  for (const table of [...byTable.keys()].sort()) place(table, new Set());
  return ordered.map((name) => ({ name, columns: byTable.get(name)! }));
}

/**
 * The highest `version` recorded in `schema`'s migrations table `migrationsTable` (unquoted; e.g.
 * `panelkit_migrations`), or 0 when it records none. The table must exist.
 */
export async function migrationsVersion(db: SqlQueryable, schema: string, migrationsTable: string): Promise<number> {
  const { rows } = await db.query<{ v: number | null }>(
    `SELECT max(version)::int AS v FROM ${quoteIdent(checkSchemaName(schema))}.${quoteIdent(migrationsTable)}`,
  );
  return rows[0]?.v ?? 0;
}

/**
 * Runs `fn` in one REPEATABLE READ, READ ONLY transaction: everything it reads (through the connection it is given,
 * e.g. with {@link tableRowsAsJson}) is one consistent snapshot, however long it takes and whatever commits meanwhile.
 */
export function inReadSnapshot<T>(db: SqlClient, fn: (snapshot: SqlQueryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(tx);
  });
}

/** Tells the cursors of tables read at once in one transaction apart. */
let cursors = 0;

/**
 * Every row of `schema.table`, as PostgreSQL's JSON text of the row, in batches of up to `batchRows` read through a
 * cursor (the table is never held in memory whole). `snapshot` must be inside a transaction — the one
 * {@link inReadSnapshot} gives, for a consistent copy of several tables.
 */
export async function* tableRowsAsJson(
  snapshot: SqlQueryable,
  schema: string,
  table: string,
  options: { batchRows?: number } = {},
): AsyncGenerator<string[]> {
  const batchRows = options.batchRows ?? 1000;
  const cursor = quoteIdent(`panelkit_copy_${++cursors}`);
  await snapshot.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS r FROM ${quoteIdent(checkSchemaName(schema))}.${quoteIdent(table)} t`,
  );
  for (;;) {
    const { rows } = await snapshot.query<{ r: string }>(`FETCH ${Math.max(1, Math.floor(batchRows))} FROM ${cursor}`);
    if (rows.length === 0) break;
    yield rows.map(({ r }) => r);
  }
  await snapshot.query(`CLOSE ${cursor}`);
}

/** How many rows the given tables of `schema` hold together: 0 means a restore may write into them. */
export async function countRows(db: SqlQueryable, schema: string, tables: readonly SchemaTable[]): Promise<number> {
  const qualified = quoteIdent(checkSchemaName(schema));
  let total = 0;
  for (const table of tables) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified}.${quoteIdent(table.name)}`);
    total += rows[0]?.n ?? 0;
  }
  return total;
}

/**
 * Inserts rows given as {@link tableRowsAsJson} read them into `schema.table`, writing only `table.columns` (so
 * generated columns are computed again). Every constraint is checked: insert tables in {@link schemaTables}' order,
 * inside one transaction, for a restore that either lands whole or leaves nothing.
 */
export async function insertRowsFromJson(db: SqlQueryable, schema: string, table: SchemaTable, rows: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = table.columns.map(quoteIdent).join(', ');
  const qualified = `${quoteIdent(checkSchemaName(schema))}.${quoteIdent(table.name)}`;
  await db.query(`INSERT INTO ${qualified} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${qualified}, $1::json)`, [
    `[${rows.join(',')}]`,
  ]);
}

/**
 * Runs `fn` with the user triggers of `schema`'s `tables` off, and turns them back on after it: rows restored with
 * {@link insertRowsFromJson} go back as they were, without the rows and signals the engine's triggers would add (the
 * figures' inbox marks, the queue's wake-ups). Call it inside the restoring transaction (`ALTER TABLE` is
 * transactional there): a failure rolls the triggers back on with everything else.
 */
export async function withTriggersOff<T>(
  db: SqlQueryable,
  schema: string,
  tables: readonly SchemaTable[],
  fn: () => Promise<T>,
): Promise<T> {
  const qualified = quoteIdent(checkSchemaName(schema));
  const names = tables.map((t) => `${qualified}.${quoteIdent(t.name)}`);
  for (const name of names) await db.query(`ALTER TABLE ${name} DISABLE TRIGGER USER`);
  const result = await fn();
  for (const name of names) await db.query(`ALTER TABLE ${name} ENABLE TRIGGER USER`);
  return result;
}

/** Moves every serial column's sequence in `schema` past the rows it holds, so the next insert after a restore fits. */
export async function resetSequences(db: SqlQueryable, schema: string): Promise<void> {
  const { rows } = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = $1 AND column_default LIKE 'nextval(%'`,
    [checkSchemaName(schema)],
  );
  for (const r of rows) {
    const table = `${quoteIdent(schema)}.${quoteIdent(r.table_name)}`;
    await db.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${quoteIdent(r.column_name)}), 0) + 1, false) FROM ${table}`,
      [table, r.column_name],
    );
  }
}
