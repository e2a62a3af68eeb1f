import { defineHostJob, enqueuePeriodicHostJob, type HostJobDefinition } from '@panelkit/sdk';
import { z } from 'zod';
import type { Shop } from '../shop.js';
import { backupToFolder } from './shop-backup.js';

const HOUR_MS = 3_600_000;

/** The host job that writes one scheduled backup. */
export const SCHEDULED_BACKUP_TYPE = 'shop.backup.scheduled';

const ScheduledBackupSchema = z.object({ slot: z.iso.datetime() });

/**
 * Writes a backup into `BACKUP_DIR` (keeping the newest `BACKUP_KEEP`); a failed write is retried with
 * backoff within its slot rather than waiting for the next one. `shopOf` gives the shop once it is open.
 */
export function scheduledBackupJob(shopOf: () => Shop): HostJobDefinition<typeof ScheduledBackupSchema> {
  return defineHostJob({
    type: SCHEDULED_BACKUP_TYPE,
    payload: ScheduledBackupSchema,
    serialKey: () => SCHEDULED_BACKUP_TYPE,
    retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 30 * 60_000, giveUpAfterMs: HOUR_MS },
    async run(_payload, { logger }) {
      const shop = shopOf();
      const settings = shop.config.backup;
      if (settings === null) return; // Backups were turned off since it was queued.
      const { file } = await backupToFolder(shop, settings.dir, settings.keep);
      logger.info({ file }, 'scheduled backup written');
    },
  });
}

/**
 * The scheduled backup, asked on every background tick: when a new slot of `BACKUP_EVERY_HOURS` has
 * begun, the one replica that wins it (leaderless, `enqueuePeriodicHostJob`) queues its backup job.
 * Returns whether this call queued one.
 */
export async function queueScheduledBackup(shop: Shop): Promise<boolean> {
  const settings = shop.config.backup;
  const job = shop.hostJobs.find((d) => d.type === SCHEDULED_BACKUP_TYPE);
  if (settings === null || job === undefined) return false;
  const { enqueued } = await enqueuePeriodicHostJob(shop.storage, job, {
    everyMs: settings.everyHours * HOUR_MS,
    now: shop.clock.now(),
    payload: (slot) => ({ slot: slot.toISOString() }),
  });
  return enqueued;
}
