import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { SecretBox } from '@panelkit/sdk';
import { inReadSnapshot, migrationsVersion, tableRowsAsJson, type SqlClient, type SqlQueryable } from '@panelkit/storage-postgres';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BACKUP_SHOP_SECRET_CONTEXT,
  TABLE_LINE_PREFIX,
  collectKeyIds,
  type BackupHeader,
  type BackupSchema,
  type BackupTableLine,
  type BackupTrailer,
} from './format.js';
import { tablesOf } from './tables.js';

/** What a backup is made of: the database, the two schemas (unquoted names), and the shop's secret and keys. */
export interface BackupSource {
  db: SqlClient;
  engineSchema: string;
  shopSchema: string;
  secretBox: SecretBox;
  shopSecret: string;
  now: Date;
}

/** Rows fetched per round trip from the snapshot's cursor. */
const FETCH_ROWS = 1000;

/** Every line of the backup, read inside one REPEATABLE READ, READ ONLY transaction (one consistent snapshot). */
async function* backupLines(tx: SqlQueryable, source: BackupSource, onTrailer: (trailer: BackupTrailer) => void): AsyncGenerator<string> {
  const hash = createHash('sha256');
  const keyIds = new Set<string>();
  const line = (text: string) => {
    hash.update(`${text}\n`);
    return `${text}\n`;
  };
  const header: BackupHeader = {
    kind: 'header',
    format: BACKUP_FORMAT,
    version: BACKUP_FORMAT_VERSION,
    createdAt: source.now.toISOString(),
    engineSchemaVersion: await migrationsVersion(tx, source.engineSchema, 'panelkit_migrations'),
    shopSchemaVersion: await migrationsVersion(tx, source.shopSchema, 'shop_migrations'),
    sealedShopSecret: source.secretBox.seal(source.shopSecret, BACKUP_SHOP_SECRET_CONTEXT),
  };
  collectKeyIds(header.sealedShopSecret, keyIds);
  yield line(JSON.stringify(header));
  const counts: BackupTrailer['tables'] = [];
  for (const [schema, name] of [
    ['engine', source.engineSchema],
    ['shop', source.shopSchema],
  ] as Array<[BackupSchema, string]>) {
    for (const table of await tablesOf(tx, name)) {
      const marker: BackupTableLine = { kind: 'table', schema, name: table.name };
      yield line(`${TABLE_LINE_PREFIX}${JSON.stringify(marker)}`);
      let rows = 0;
      for await (const batch of tableRowsAsJson(tx, name, table.name, { batchRows: FETCH_ROWS })) {
        let chunk = '';
        for (const r of batch) {
          collectKeyIds(r, keyIds);
          chunk += line(r);
        }
        rows += batch.length;
        yield chunk;
      }
      counts.push({ schema, name: table.name, rows });
    }
  }
  const trailer: BackupTrailer = { kind: 'trailer', tables: counts, keyIds: [...keyIds].sort(), sha256: hash.digest('hex') };
  onTrailer(trailer);
  yield `${JSON.stringify(trailer)}\n`;
}

/**
 * Writes a gzip'd backup of both schemas to `out`: a header, each table's rows as PostgreSQL's own JSON of the row, and
 * a trailer with row counts, the key ids the sealed values need, and a SHA-256 of everything before it. Secrets are
 * written as stored — sealed — and never opened. Resolves with the trailer once `out` has everything.
 */
export async function writeBackup(source: BackupSource, out: Writable): Promise<BackupTrailer> {
  let trailer: BackupTrailer | null = null;
  await inReadSnapshot(source.db, async (tx) => {
    await pipeline(Readable.from(backupLines(tx, source, (t) => (trailer = t))), createGzip(), out);
  });
  return trailer!;
}
