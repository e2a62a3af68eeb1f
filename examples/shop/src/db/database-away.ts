import { PanelkitError } from '@panelkit/sdk';
import { isDatabaseUnavailable, type SqlQueryable } from '@panelkit/storage-postgres';

/**
 * Whether an error means the database cannot be reached right now (refused, dropped, shutting down or starting
 * up): the engine's `StorageUnavailableError`, or a driver error from the shop's own tables, here or as a cause.
 */
export function isDatabaseAway(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && e !== undefined && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((PanelkitError.is(e) && e.code === 'STORAGE_UNAVAILABLE') || isDatabaseUnavailable(e)) return true;
  }
  return false;
}

/** Asks the database for nothing (`SELECT 1`): throws when it cannot be reached. */
export async function pingDatabase(db: SqlQueryable): Promise<void> {
  await db.query('SELECT 1');
}
