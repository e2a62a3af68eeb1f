import type { Shop } from '../stack/shop.js';
import { backupToFolder } from './shop-backup.js';

const HOUR_MS = 3_600_000;

/**
 * The scheduled backup, asked on every background tick: when a new slot of `BACKUP_EVERY_HOURS` has begun, the one
 * replica that wins the slot (the storage's leaderless `ticks.tryAcquire`) writes a backup into `BACKUP_DIR`. A failed
 * write is reported and the next slot tries again. Returns the file written, or `null`.
 */
export async function runScheduledBackup(shop: Shop): Promise<string | null> {
  const settings = shop.config.backup;
  if (settings === null) return null;
  const every = settings.everyHours * HOUR_MS;
  const slot = new Date(Math.floor(shop.clock.now().getTime() / every) * every);
  if (!(await shop.storage.ticks.tryAcquire('shop.backup', slot))) return null;
  const { file } = await backupToFolder(shop, settings.dir, settings.keep);
  return file;
}
