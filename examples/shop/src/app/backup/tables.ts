import { schemaTables, type SchemaTable, type SqlQueryable } from '@panelkit/storage-postgres';

/** A table a backup carries, with the columns an INSERT may write (generated ones are left out). */
export type BackupTable = SchemaTable;

/** Bookkeeping rows each build writes itself when it migrates: never exported, never restored. */
export const NOT_BACKED_UP = new Set(['panelkit_migrations', 'shop_migrations']);

/**
 * The tables of one schema a backup carries, parents before the tables whose foreign keys point at them, so rows can
 * be inserted in this order with every constraint checked.
 */
export function tablesOf(db: SqlQueryable, schema: string): Promise<BackupTable[]> {
  return schemaTables(db, schema, { exclude: NOT_BACKED_UP });
}
