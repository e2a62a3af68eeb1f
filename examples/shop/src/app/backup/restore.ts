import type { Clock, SecretBox } from '@panelkit/sdk';
import {
  countRows,
  insertRowsFromJson,
  LATEST_SCHEMA_VERSION,
  migrate,
  resetSequences,
  type SqlClient,
  withTriggersOff,
} from '@panelkit/storage-postgres';
import { migrateShop, SHOP_SCHEMA_VERSION } from '../../db/migrations.js';
import { BACKUP_SHOP_SECRET_CONTEXT, BackupError, type BackupHeader, type BackupSchema, type BackupTrailer } from './format.js';
import { backupEntries, verifyBackup } from './read.js';
import { tablesOf, type BackupTable } from './tables.js';

/** Where a backup is restored: an empty database (or one only migrated), its two schemas (unquoted), and the shop's keys. */
export interface RestoreTarget {
  db: SqlClient;
  engineSchema: string;
  shopSchema: string;
  secretBox: SecretBox;
  clock: Clock;
  /** The shop secret configured on this machine (SHOP_SECRET or the data folder's), or `null` when none is yet. */
  shopSecret: string | null;
}

/** What a restore did. */
export interface RestoreResult {
  header: BackupHeader;
  trailer: BackupTrailer;
  /** The restoring shop must run with this secret: the identities of every client on the panels derive from it. */
  shopSecret: string;
  rows: number;
}

/** Rows per INSERT statement. */
const INSERT_ROWS = 500;

/** A backup file verified and found restorable with the keys and shop secret it was checked against. */
export interface CheckedBackup {
  file: string;
  header: BackupHeader;
  trailer: BackupTrailer;
  /** The shop secret sealed in the backup, opened. */
  shopSecret: string;
}

/**
 * Everything a restore checks before it writes, without a database: the file's checksum and row counts, that the
 * backup comes from a build at the same schema versions as this one, that every secret key it needs is in the key set
 * (its id is named when one is missing), and that its sealed shop secret opens and matches the secret this machine
 * already has, if any. Throws `BackupError` with what to do.
 */
export async function checkBackup(file: string, keys: Pick<RestoreTarget, 'secretBox' | 'shopSecret'>): Promise<CheckedBackup> {
  const { header, trailer } = await verifyBackup(file);
  if (header.engineSchemaVersion !== LATEST_SCHEMA_VERSION || header.shopSchemaVersion !== SHOP_SCHEMA_VERSION) {
    throw new BackupError(
      'schema',
      `the backup was made at schema versions ${header.engineSchemaVersion}/${header.shopSchemaVersion} and this build is at ` +
        `${LATEST_SCHEMA_VERSION}/${SHOP_SCHEMA_VERSION}: restore it with the release that made it, then upgrade`,
    );
  }
  const missing = trailer.keyIds.filter((id) => !keys.secretBox.keyIds.includes(id));
  if (missing.length > 0) {
    throw new BackupError(
      'missing_key',
      `the backup's secrets are sealed with key ${missing.map((id) => `"${id}"`).join(', ')}, which SHOP_SECRET_KEYS does not hold: ` +
        'set SHOP_SECRET_KEYS to the keys of the shop that made it (id:base64, comma-separated) and run the restore again',
    );
  }
  const shopSecret = keys.secretBox.open(header.sealedShopSecret, BACKUP_SHOP_SECRET_CONTEXT);
  if (keys.shopSecret !== null && keys.shopSecret !== shopSecret) {
    throw new BackupError(
      'secret_mismatch',
      'this machine already has a different shop secret (SHOP_SECRET or the data folder): panel identities would not match; ' +
        "unset it to take the backup's, or set it to the old shop's",
    );
  }
  return { file, header, trailer, shopSecret };
}

/**
 * Restores a backup made by `writeBackup` into an empty database: a file is first checked (`checkBackup`), a
 * `CheckedBackup` is restored as it is. Then the schemas are migrated and every row inserted in one transaction
 * (parents first), so a failure leaves the database as it was. Throws `BackupError` with what to do.
 */
export async function restoreBackup(backup: string | CheckedBackup, target: RestoreTarget): Promise<RestoreResult> {
  const { file, header, trailer, shopSecret } = typeof backup === 'string' ? await checkBackup(backup, target) : backup;

  await migrate(target.db, { schema: target.engineSchema, clock: target.clock });
  await migrateShop(target.db, target.engineSchema, target.clock.now());
  const schemas: Record<BackupSchema, string> = { engine: target.engineSchema, shop: target.shopSchema };
  const tables = {
    engine: new Map((await tablesOf(target.db, schemas.engine)).map((t) => [t.name, t])),
    shop: new Map((await tablesOf(target.db, schemas.shop)).map((t) => [t.name, t])),
  };
  const present =
    (await countRows(target.db, schemas.engine, [...tables.engine.values()])) +
    (await countRows(target.db, schemas.shop, [...tables.shop.values()]));
  if (present > 0)
    throw new BackupError('not_empty', `the target database already holds ${present} rows: restore into an empty database or data folder`);

  let rows = 0;
  await target.db.transaction(async (tx) => {
    let table: { schema: string; def: BackupTable } | null = null;
    let batch: string[] = [];
    const flush = async () => {
      if (table === null || batch.length === 0) return;
      await insertRowsFromJson(tx, table.schema, table.def, batch);
      rows += batch.length;
      batch = [];
    };
    // The rows go back as they were: the engine's triggers (the figures' inbox marks, the queue's wake-ups) would add
    // rows and signals of their own, so they are off until the rows are in.
    await withTriggersOff(tx, schemas.engine, [...tables.engine.values()], async () => {
      for await (const entry of backupEntries(file)) {
        if (entry.kind === 'table') {
          await flush();
          const def = tables[entry.schema]?.get(entry.name);
          if (def === undefined)
            throw new BackupError('schema', `this build has no table ${entry.schema}.${entry.name}, which the backup holds`);
          table = { schema: schemas[entry.schema], def };
        } else {
          batch.push(entry.json);
          if (batch.length >= INSERT_ROWS) await flush();
        }
      }
      await flush();
    });
    // The figures' inbox numbers its rows from a sequence: it moves past the rows restored.
    for (const schema of [schemas.engine, schemas.shop]) await resetSequences(tx, schema);
  });
  return { header, trailer, shopSecret, rows };
}
