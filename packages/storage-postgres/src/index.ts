export type { SqlClient, SqlListener, SqlQueryable, SqlResult } from './client.js';
export { fromPgPool } from './drivers/pg.js';
export type { PgPoolClientLike, PgPoolLike, PgPoolOptions } from './drivers/pg.js';
export { fromPGlite } from './drivers/pglite.js';
export type { PGliteLike } from './drivers/pglite.js';
export { migrate, schemaVersion } from './migrate.js';
export type { MigrateOptions, MigrateResult } from './migrate.js';
export { LATEST_SCHEMA_VERSION } from './migrations/index.js';
export { createPostgresStorage } from './postgres-storage.js';
export type { PostgresStorageOptions } from './postgres-storage.js';
export { runMigrations } from './run-migrations.js';
export type { RunMigrationsOptions, RunMigrationsResult, VersionedMigration } from './run-migrations.js';
export { resealSecrets } from './reseal.js';
export type { ResealOptions, ResealResult } from './reseal.js';
export { customerIdByExternalRefSql, customerWithPriceBookFromJson, customerWithPriceBookSql } from './customer-read-sql.js';
export { customerCreateSql, customerFromJson } from './customer-create-sql.js';
export type { CustomerCreate } from './customer-create-sql.js';
export { ensureLinkTokensSql } from './link-tokens-sql.js';
export { transactionSql } from './transaction-sql.js';
export { isUnavailable as isDatabaseUnavailable } from './internal/errors.js';
export {
  countRows,
  inReadSnapshot,
  insertRowsFromJson,
  migrationsVersion,
  resetSequences,
  schemaTables,
  tableRowsAsJson,
  withTriggersOff,
} from './schema-copy.js';
export type { SchemaTable, SchemaTablesOptions } from './schema-copy.js';
