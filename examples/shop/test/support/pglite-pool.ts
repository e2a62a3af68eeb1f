import { migrate, type SqlClient } from '@panelkit/storage-postgres';
import { tablesOf } from '../../src/app/backup/tables.js';
import { migrateShop, shopSchemaName } from '../../src/db/migrations.js';
import { openDatabase, type OpenDatabase } from '../../src/stack/database.js';
import { emptyingStatements } from '../../../../packages/storage-postgres/test/support/emptying-statements.js';
import { pgliteTemplate } from '../../../../packages/storage-postgres/test/support/pglite-template.js';
import { catalogFingerprint } from './catalog-fingerprint.js';

/** What a fresh migration of the engine's schema and the shop's leaves, to tell and to restore it. */
interface MigratedState {
  /** `catalogFingerprint` of a freshly migrated database. */
  fingerprint: string;
  /** The migrations tables, qualified and quoted. */
  records: string[];
  /** Statements that take a database with that fingerprint back to a fresh migration's rows. */
  reset: Array<{ text: string; params?: unknown[] }>;
}

/**
 * In-memory PGlite databases that closed test shops gave back, kept on the worker thread's global so the next
 * test file on the thread finds them (files run one after another on a thread; the global holds them even where
 * a runner evaluates this module again for each file). Starting a PGlite costs about 0.55 s of CPU even from the
 * run's template, and migrating the engine's and the shop's schemas about 0.2 s more; emptying one costs a few
 * milliseconds.
 */
interface Pool {
  /** Blank databases: no schema but PostgreSQL's own. */
  blank: OpenDatabase[];
  /** Databases at a fresh migration, by engine schema. */
  migrated: Map<string, OpenDatabase[]>;
  /** What a fresh migration leaves, by engine schema: taken once per thread, from a migration of its own. */
  states: Map<string, Promise<MigratedState>>;
}

const POOL_KEY = Symbol.for('panelkit.test.pglitePool');
/** Databases kept per kind (and engine schema): a file rarely has more than two shops open at once. */
const MAX_SPARE = 2;

function pool(): Pool {
  const global = globalThis as { [POOL_KEY]?: Pool };
  global[POOL_KEY] ??= { blank: [], migrated: new Map(), states: new Map() };
  return global[POOL_KEY];
}

function migratedSpares(schema: string): OpenDatabase[] {
  const spares = pool().migrated.get(schema) ?? [];
  pool().migrated.set(schema, spares);
  return spares;
}

async function blankDatabase(): Promise<OpenDatabase> {
  return pool().blank.pop() ?? (await openDatabase({ kind: 'memory', from: pgliteTemplate() }));
}

/**
 * An in-memory PGlite database, as new: blank, or with `migrated`, at a fresh migration of the engine's schema of that
 * name and the shop's (when the thread has one spare; else blank, and the shop migrates it as it opens). Closing it
 * gives it back: at a fresh migration again when its schema is still exactly what migrations made (its rows are
 * deleted and the migrations' own rows put back), else blank (every schema dropped). One that can be neither is
 * closed.
 */
export async function pooledMemoryDatabase(options: { migrated?: string } = {}): Promise<OpenDatabase> {
  let database: OpenDatabase | undefined;
  if (options.migrated !== undefined) {
    await migratedState(options.migrated);
    database = migratedSpares(options.migrated).pop();
  }
  database ??= await blankDatabase();
  const inner = database.client;
  let closed = false;
  // A component that outlives its shop must fail, as on a closed PGlite, not reach the next shop's tables.
  const open = <T>(run: () => Promise<T>): Promise<T> => (closed ? Promise.reject(new Error('the test database is closed')) : run());
  const client: SqlClient = {
    concurrent: inner.concurrent,
    query: (text, params) => open(() => inner.query(text, params)),
    transaction: (fn) => open(() => inner.transaction(fn)),
  };
  const given = database;
  return {
    client,
    close: async () => {
      if (closed) return;
      closed = true;
      const schema = await backToMigrated(inner);
      if (schema !== null && migratedSpares(schema).length < MAX_SPARE) migratedSpares(schema).push(given);
      else if (pool().blank.length < MAX_SPARE && (await emptied(inner))) pool().blank.push(given);
      else await given.close();
    },
  };
}

/**
 * What a fresh migration of `schema` leaves, read once per thread from a database this migrates itself; that
 * database becomes the thread's first migrated spare.
 */
function migratedState(schema: string): Promise<MigratedState> {
  let state = pool().states.get(schema);
  if (state === undefined) {
    state = (async () => {
      const database = await blankDatabase();
      const shopSchema = `${schema}_shop`;
      await migrate(database.client, { schema });
      await migrateShop(database.client, schema, new Date());
      const records = [`"${schema}".panelkit_migrations`, `${shopSchemaName(schema)}.shop_migrations`];
      // The shop's tables point at the engine's: they are emptied first.
      const empty = [
        ...(await emptyingStatements(database.client, shopSchema, 'shop_migrations')),
        ...(await emptyingStatements(database.client, schema)),
      ];
      const seeded = await seedRows(database.client, [schema, shopSchema]);
      const migrated: MigratedState = {
        fingerprint: await catalogFingerprint(database.client, records),
        records,
        reset: [...empty.map((text) => ({ text })), ...seeded],
      };
      migratedSpares(schema).push(database);
      return migrated;
    })();
    pool().states.set(schema, state);
  }
  return state;
}

/**
 * Inserts that put back the rows migrations themselves wrote into `schemas` (the engine's first, as the shop's
 * tables point at it), table by table as a backup restores them: parents first, migrations records and generated
 * columns left out.
 */
async function seedRows(client: SqlClient, schemas: string[]): Promise<Array<{ text: string; params: unknown[] }>> {
  const inserts: Array<{ text: string; params: unknown[] }> = [];
  for (const schema of schemas) {
    for (const table of await tablesOf(client, schema)) {
      const name = `${ident(schema)}.${ident(table.name)}`;
      const columns = table.columns.map(ident).join(', ');
      const { rows } = await client.query<{ json: string | null }>(`SELECT json_agg(t)::text AS json FROM ${name} AS t`);
      const json = rows[0]?.json ?? null;
      if (json === null) continue;
      inserts.push({
        text: `INSERT INTO ${name} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${name}, $1::json)`,
        params: [json],
      });
    }
  }
  return inserts;
}

/**
 * Takes a database whose schema is exactly a fresh migration's back to a fresh migration's rows, in one
 * transaction; the engine schema's name, or `null` (nothing changed) when its schema differs or a statement fails.
 */
async function backToMigrated(client: SqlClient): Promise<string | null> {
  for (const [schema, state] of pool().states) {
    try {
      const { fingerprint, records, reset } = await state;
      if ((await catalogFingerprint(client, records)) !== fingerprint) continue;
      await client.transaction(async (tx) => {
        for (const { text, params } of reset) await tx.query(text, params);
      });
      return schema;
    } catch {}
  }
  return null;
}

/**
 * Drops every schema a test made, through the client's lock (after any statement still running);
 * `false` (keep nothing) when `public` holds anything or a drop fails.
 */
async function emptied(client: SqlClient): Promise<boolean> {
  try {
    const { rows: inPublic } = await client.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)
            + (SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace)
            + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace) AS n`,
    );
    if (Number(inPublic[0]?.n) !== 0) return false;
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')`,
    );
    if (rows.length > 0) await client.query(`DROP SCHEMA ${rows.map((r) => `"${r.name.replaceAll('"', '""')}"`).join(', ')} CASCADE`);
    return true;
  } catch {
    return false;
  }
}

/** A name as a quoted SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
