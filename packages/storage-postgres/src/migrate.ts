import { ConfigurationError, systemClock } from '@panelkit/sdk';
import type { Clock } from '@panelkit/sdk';
import type { SqlClient, SqlQueryable } from './client.js';
import { mapError } from './internal/errors.js';
import { checkSchemaName, enc, quoteIdent } from './internal/sql.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** The schema to create or upgrade. Default `panelkit`. */
  schema?: string;
  /** Where `applied_at` comes from. Default: the system clock. */
  clock?: Clock;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** The schema version before this call (0 for a new schema). */
  from: number;
  /** The schema version now. */
  to: number;
  /** Versions this call applied; empty when another replica had done it. */
  applied: number[];
}

/**
 * A migration's statements, one at a time: extended-protocol drivers (PGlite, `pg` with
 * parameters) take one statement per query. Migrations hold no function bodies, so a `;` at a
 * line end always ends a statement.
 */
function statements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((part) => part.replace(/^\s*--.*$/gm, '').trim())
    .filter((part) => part.length > 0);
}

async function currentVersion(db: SqlQueryable, schema: string): Promise<number> {
  const { rows } = await db.query<{ version: unknown }>(`SELECT max(version) AS version FROM ${quoteIdent(schema)}.panelkit_migrations`);
  const version = rows[0]?.version;
  return version === null || version === undefined ? 0 : Number(version);
}

/**
 * Creates or upgrades the storage's schema. The whole upgrade is one transaction under a
 * transaction-scoped advisory lock keyed by the schema name, so replicas starting together apply
 * each migration exactly once and the others see the result. A schema newer than this build
 * knows is refused with `ConfigurationError` (an older replica must not write to it).
 */
export async function migrate(client: SqlClient, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = checkSchemaName(options.schema ?? 'panelkit');
  const clock = options.clock ?? systemClock;
  const s = quoteIdent(schema);
  try {
    return await client.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`panelkit.migrate:${schema}`]);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${s}.panelkit_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
      );
      const from = await currentVersion(db, schema);
      if (from > LATEST_SCHEMA_VERSION) {
        throw new ConfigurationError(
          `schema ${schema} is at version ${from}, newer than this @panelkit/storage-postgres knows (${LATEST_SCHEMA_VERSION}); upgrade the package`,
        );
      }
      const applied: number[] = [];
      for (const migration of MIGRATIONS) {
        if (migration.version <= from) continue;
        for (const statement of statements(migration.sql)) await db.query(statement.replaceAll('{{schema}}', s));
        await db.query(`INSERT INTO ${s}.panelkit_migrations (version, name, applied_at) VALUES ($1, $2, $3::timestamptz)`, [
          migration.version,
          migration.name,
          enc.time(clock.now()),
        ]);
        applied.push(migration.version);
      }
      return { from, to: Math.max(from, LATEST_SCHEMA_VERSION), applied };
    });
  } catch (error) {
    throw mapError(error);
  }
}

/** The schema's version, or 0 when it has not been migrated. */
export async function schemaVersion(client: SqlClient, options: { schema?: string } = {}): Promise<number> {
  const schema = checkSchemaName(options.schema ?? 'panelkit');
  const { rows } = await client.query<{ present: unknown }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [
    `${quoteIdent(schema)}.panelkit_migrations`,
  ]);
  if (rows[0]?.present !== true) return 0;
  return currentVersion(client, schema);
}
