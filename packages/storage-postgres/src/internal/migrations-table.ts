import type { SqlQueryable } from '../client.js';

/**
 * Creates the bookkeeping table a migration runner records applied versions in, in an existing
 * schema. `schema` and `table` are quoted identifiers.
 *
 * A table made before the runner recorded names (the shop's `shop_migrations` had only `version`
 * and `applied_at`) gets a nullable `name` column: its old rows have no name to give, and a
 * replica of the older build, which inserts `(version, applied_at)`, must still be able to write.
 * The catalog is read first so a table that has the column is never altered: `ALTER TABLE` waits
 * for an exclusive lock, which a long backup reading the table would hold up.
 */
export async function ensureMigrationsTable(db: SqlQueryable, schema: string, table: string): Promise<void> {
  const qualified = `${schema}.${table}`;
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${qualified} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
  );
  const { rows } = await db.query<{ present: unknown }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'name' AND NOT attisdropped) AS present`,
    [qualified],
  );
  if (rows[0]?.present !== true) await db.query(`ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS name text`);
}

/** The highest version recorded in a migrations table (`schema.table`, quoted), or 0 when it is empty. */
export async function appliedVersion(db: SqlQueryable, qualifiedTable: string): Promise<number> {
  const { rows } = await db.query<{ version: unknown }>(`SELECT max(version) AS version FROM ${qualifiedTable}`);
  const version = rows[0]?.version;
  return version === null || version === undefined ? 0 : Number(version);
}
