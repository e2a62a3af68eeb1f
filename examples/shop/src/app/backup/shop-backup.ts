import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '@panelkit/sdk';
import type { Shop } from '../shop.js';
import { writeBackup } from './export.js';
import type { BackupTrailer } from './format.js';
import type { Writable } from 'node:stream';

/** A backup file's name: sortable by time, `panelkit-backup-20260301T090000Z.ndjson.gz`. */
export function backupFileName(at: Date): string {
  return `panelkit-backup-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}.ndjson.gz`;
}

/**
 * The owner's backup download: audited as `backup.exported` (who, and when) before the backup is written to `out`,
 * so a download cut short is still on record.
 */
export async function exportBackup(shop: Shop, actor: Actor, at: Date, out: Writable): Promise<BackupTrailer> {
  await shop.storage.audit.append({
    actor,
    action: 'backup.exported',
    subjectType: 'shop',
    subjectId: 'database',
    data: { at: at.toISOString() },
  });
  return backupShop(shop, out);
}

/** Writes the shop's backup (engine and shop tables, secrets sealed as stored) to a stream: an HTTP download, a file. */
export function backupShop(shop: Shop, out: Writable): Promise<BackupTrailer> {
  return writeBackup(
    {
      db: shop.db,
      engineSchema: shop.config.schema,
      shopSchema: `${shop.config.schema}_shop`,
      secretBox: shop.secretBox,
      shopSecret: shop.secret,
      now: shop.clock.now(),
    },
    out,
  );
}

/**
 * Writes a backup into `dir` under a temporary name and renames it when complete, so the folder never holds half a
 * backup under a real name; then keeps only the newest `keep` backups there.
 */
export async function backupToFolder(shop: Shop, dir: string, keep: number): Promise<{ file: string; trailer: BackupTrailer }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, backupFileName(shop.clock.now()));
  const partial = `${file}.partial`;
  try {
    const trailer = await backupShop(shop, createWriteStream(partial, { mode: 0o600 }));
    renameSync(partial, file);
    const backups = readdirSync(dir)
      .filter((f) => /^panelkit-backup-\d{8}T\d{6}Z\.ndjson\.gz$/.test(f))
      .sort();
    for (const old of backups.slice(0, Math.max(0, backups.length - keep))) rmSync(join(dir, old));
    return { file, trailer };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
