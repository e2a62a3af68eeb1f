import { ConfigurationError, systemClock } from '@panelkit/sdk';
import type { Clock } from '@panelkit/sdk';
import type { SqlClient } from './client.js';
import { isStaleCatalogRefusal, mapError } from './internal/errors.js';
import { appliedVersion, ensureMigrationsTable } from './internal/migrations-table.js';
import { enc, quoteIdent } from './internal/sql.js';

/** One schema change for {@link runMigrations}. Append only: never edit one that has been released. */
export interface VersionedMigration {
  /** Its number; versions increase along the list. */
  readonly version: number;
  /** A short name, recorded beside the version. */
  readonly name: string;
  /** The statements to run, one query each, given the quoted schema name. */
  statements(schema: string): readonly string[];
}

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  /** The schema to create or upgrade (unquoted; it is quoted here). */
  schema: string;
  /** The table in `schema` that records applied versions (unquoted), e.g. `panelkit_migrations`. */
  table: string;
  /** The advisory lock's key. Every replica, of every release, must use the same one for this schema. */
  lockKey: string;
  /** Every migration this build knows, oldest first. */
  migrations: readonly VersionedMigration[];
  /** Where `applied_at` comes from. Default: the system clock. */
  clock?: Clock;
  /** The message of the `ConfigurationError` for a schema newer than `migrations` knows. */
  tooNewMessage?: (found: number, latest: number) => string;
}

/** What {@link runMigrations} did. */
export interface RunMigrationsResult {
  /** The version before this call (0 for a new schema). */
  from: number;
  /** The version now. */
  to: number;
  /** Versions this call applied; empty when another replica had done it. */
  applied: number[];
}

/** The newest version of `migrations`, after checking that versions are positive integers in increasing order. */
function checkOrder(migrations: readonly VersionedMigration[]): number {
  let latest = 0;
  for (const { version } of migrations) {
    if (!Number.isSafeInteger(version) || version <= latest) {
      throw new ConfigurationError(`migration versions must be positive integers in increasing order; ${version} follows ${latest}`);
    }
    latest = version;
  }
  return latest;
}

/**
 * Creates or upgrades a schema from a list of versioned migrations. The whole run is one
 * transaction under a transaction-scoped advisory lock on `lockKey`, so replicas starting together
 * apply each migration exactly once and the others see the result (a run refused because its session's catalog cache
 * had not yet caught up with what another replica created while it waited is run again, a few times at most, in a
 * new transaction). Each applied migration is
 * recorded in `table` as `(version, name, applied_at)`. A schema at a version newer than the list
 * knows is refused with `ConfigurationError` and left as it is (an older replica must not write to
 * it). Database errors come out as the package's `PanelkitError`s.
 */
export async function runMigrations(client: SqlClient, options: RunMigrationsOptions): Promise<RunMigrationsResult> {
  const { schema, table, lockKey, migrations } = options;
  const clock = options.clock ?? systemClock;
  const s = quoteIdent(schema);
  const qualified = `${s}.${quoteIdent(table)}`;
  const latest = checkOrder(migrations);
  const run = () =>
    client.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey]);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await ensureMigrationsTable(db, s, quoteIdent(table));
      const from = await appliedVersion(db, qualified);
      if (from > latest) {
        const message =
          options.tooNewMessage?.(from, latest) ?? `${schema}.${table} is at version ${from}, newer than this build knows (${latest})`;
        throw new ConfigurationError(message);
      }
      const applied: number[] = [];
      for (const migration of migrations) {
        if (migration.version <= from) continue;
        for (const statement of migration.statements(s)) await db.query(statement);
        await db.query(`INSERT INTO ${qualified} (version, name, applied_at) VALUES ($1, $2, $3::timestamptz)`, [
          migration.version,
          migration.name,
          enc.time(clock.now()),
        ]);
        applied.push(migration.version);
      }
      return { from, to: Math.max(from, latest), applied };
    });
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      // Rolled back whole: the next transaction starts with the catalog as the other replica committed it.
      if (attempt < MIGRATION_ATTEMPTS && isStaleCatalogRefusal(error)) continue;
      throw mapError(error);
    }
  }
}

/**
 * How many times a run is tried when a schema change was refused for a name another replica's run created while this
 * one waited on the lock (see `isStaleCatalogRefusal`); each replica that got ahead can cause one such refusal.
 */
const MIGRATION_ATTEMPTS = 4;
