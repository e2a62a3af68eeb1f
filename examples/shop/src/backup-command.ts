import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createPanelkit, systemClock } from '@panelkit/sdk';
import { createPostgresStorage } from '@panelkit/storage-postgres';
import pino from 'pino';
import { BackupError } from './app/backup/format.js';
import { checkBackup, restoreBackup } from './app/backup/restore.js';
import { backupToFolder } from './app/backup/shop-backup.js';
import { loadConfig, type ShopConfig } from './config/config.js';
import { openDatabase } from './stack/database.js';
import { rememberedUpdate } from './stack/data-folder.js';
import { panelAdapterFactory } from './app/panels/panel-adapters.js';
import { shopSecretBox } from './stack/secret-keys.js';
import { openShop } from './stack/shop.js';
import { exitOnStartupError } from './stack/startup-errors.js';

/** The data folder's remembered shop secret, or `null` when it has none yet. */
function folderSecret(dataDir: string): string | null {
  const file = join(dataDir, 'secret.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { secret: string }).secret : null;
}

async function exportTo(config: ShopConfig, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const shop = await openShop({ ...config, demoPanel: false, panelsFile: null }, { logger: pino({ level: 'silent' }) });
  try {
    const { file, trailer } = await backupToFolder(shop, dir, Number.MAX_SAFE_INTEGER);
    const rows = trailer.tables.reduce((n, t) => n + t.rows, 0);
    console.log(`wrote ${file}: ${rows} rows; restoring it needs secret key(s) ${trailer.keyIds.join(', ')}`);
  } finally {
    await shop.close();
  }
}

async function restoreFrom(config: ShopConfig, file: string): Promise<void> {
  if (config.secretKeys === null && !existsSync(join(config.dataDir, 'secret-keys.json'))) {
    throw new BackupError(
      'missing_key',
      'SHOP_SECRET_KEYS must hold the keys of the shop that made the backup (the backup file says which key ids it needs)',
    );
  }
  const secretBox = shopSecretBox(config, config.dataDir);
  const shopSecret = config.secret ?? folderSecret(config.dataDir);
  // A backup that cannot be restored here is refused before the database is opened (or, embedded, created).
  const checked = await checkBackup(file, { secretBox, shopSecret });
  const database = await openDatabase(config.database);
  try {
    const restored = await restoreBackup(checked, {
      db: database.client,
      engineSchema: config.schema,
      shopSchema: `${config.schema}_shop`,
      secretBox,
      clock: systemClock,
      shopSecret,
    });
    if (config.secret === null) {
      mkdirSync(config.dataDir, { recursive: true });
      rememberedUpdate(config.dataDir, 'secret.json', { secret: restored.shopSecret });
    }
    console.log(`restored ${restored.rows} rows from a backup of ${restored.header.createdAt}`);
    // Panels may have lost clients since the backup (or be new servers): repairs are queued now, and the worker
    // carries them out when the shop starts.
    const storage = createPostgresStorage({ client: database.client, schema: config.schema, clock: systemClock, secretBox });
    const kit = createPanelkit({
      storage,
      clock: systemClock,
      panels: panelAdapterFactory({ clock: systemClock, logger: pino({ level: 'silent' }) }),
      policy: { identity: { secret: restored.shopSecret, prefix: config.prefix } },
    });
    const report = await kit.reconcile({ repair: true });
    console.log(`panels reconciled: ${report.repairsQueued} repair(s) queued for the worker; start the shop to carry them out`);
    await storage.close();
  } finally {
    await database.close();
  }
}

/**
 * Restores from standard input (`restore -`): a container given the file as its input needs no volume or mount
 * for it. The input is kept in a private temporary file first, since a backup is read twice (checked, then restored).
 */
async function restoreFromStdin(config: ShopConfig): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'panelkit-restore-'));
  try {
    const file = join(dir, 'backup.ndjson.gz');
    await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
    await restoreFrom(config, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run backup -- <command>` (see docs/guides/backups.md):
 * - `export [folder]` writes a backup of the whole database (default folder: BACKUP_DIR or `<data folder>/backups`);
 * - `restore <file>` restores one into an empty database (DATABASE_URL, or the data folder's PGlite), then reconciles
 *   the panels. It needs SHOP_SECRET_KEYS with the keys the backup names. `restore -` reads the file from stdin.
 */
async function main(args: string[]): Promise<void> {
  const [command, path] = args;
  const config = loadConfig(process.env);
  if (command === 'export') return exportTo(config, resolve(path ?? config.backup?.dir ?? join(config.dataDir, 'backups')));
  if (command === 'restore' && path === '-') return restoreFromStdin(config);
  if (command === 'restore' && path !== undefined) return restoreFrom(config, resolve(path));
  console.error('usage: backup export [folder] | restore <file> | restore - (the file on stdin)');
  process.exit(2);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof BackupError) {
    console.error(`backup: ${error.message}`);
    process.exit(1);
  }
  exitOnStartupError(error);
}
