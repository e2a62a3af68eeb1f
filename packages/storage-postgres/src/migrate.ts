import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from './client.js';
import { appliedVersion } from './internal/migrations-table.js';
import { checkSchemaName, quoteIdent } from './internal/sql.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';
import { runMigrations } from './run-migrations.js';
import type { RunMigrationsResult, VersionedMigration } from './run-migrations.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** The schema to create or upgrade. Default `panelkit`. */
  schema?: string;
  /** Where `applied_at` comes from. Default: the system clock. */
  clock?: Clock;
}

/** What {@link migrate} did. */
export type MigrateResult = RunMigrationsResult;

/**
 * A migration's statements, one at a time: extended-protocol drivers (PGlite, `pg` with
 * parameters) take one statement per query. A `;` at a line end ends a statement, unless it is inside
 * a `$$`-quoted function body (a trigger's PL/pgSQL).
 */
function statements(sql: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (const line of sql.split('\n')) {
    current += `${line}\n`;
    const insideBody = (current.match(/\$\$/g)?.length ?? 0) % 2 === 1;
    if (!insideBody && /;\s*$/.test(line)) {
      parts.push(current.replace(/;\s*$/, ''));
      current = '';
    }
  }
  parts.push(current);
  return parts.map((part) => part.replace(/^\s*--.*$/gm, '').trim()).filter((part) => part.length > 0);
}

const STORAGE_MIGRATIONS: readonly VersionedMigration[] = MIGRATIONS.map(({ version, name, sql }) => ({
  version,
  name,
  statements: (schema: string) => statements(sql).map((statement) => statement.replaceAll('{{schema}}', schema)),
}));

/**
 * Creates or upgrades the storage's schema with {@link runMigrations}: one transaction under an
 * advisory lock keyed by the schema name, so replicas starting together apply each migration
 * exactly once and the others see the result. A schema newer than this build knows is refused
 * with `ConfigurationError` (an older replica must not write to it).
 */
export async function migrate(client: SqlClient, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = checkSchemaName(options.schema ?? 'panelkit');
  return runMigrations(client, {
    schema,
    table: 'panelkit_migrations',
    lockKey: `panelkit.migrate:${schema}`,
    migrations: STORAGE_MIGRATIONS,
    clock: options.clock,
    tooNewMessage: (found) =>
      `schema ${schema} is at version ${found}, newer than this @panelkit/storage-postgres knows (${LATEST_SCHEMA_VERSION}); upgrade the package`,
  });
}

/** The schema's version, or 0 when it has not been migrated. */
export async function schemaVersion(client: SqlClient, options: { schema?: string } = {}): Promise<number> {
  const schema = checkSchemaName(options.schema ?? 'panelkit');
  const table = `${quoteIdent(schema)}.panelkit_migrations`;
  const { rows } = await client.query<{ present: unknown }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [table]);
  if (rows[0]?.present !== true) return 0;
  return appliedVersion(client, table);
}
