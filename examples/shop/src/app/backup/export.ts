import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { SecretBox } from '@panelkit/sdk';
import type { SqlClient, SqlQueryable } from '@panelkit/storage-postgres';
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
import { ident, tablesOf } from './tables.js';

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

async function versionOf(db: SqlQueryable, schema: string, table: string): Promise<number> {
  const { rows } = await db.query<{ v: number | null }>(`SELECT max(version)::int AS v FROM ${ident(schema)}.${ident(table)}`);
  return rows[0]?.v ?? 0;
}

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
    engineSchemaVersion: await versionOf(tx, source.engineSchema, 'panelkit_migrations'),
    shopSchemaVersion: await versionOf(tx, source.shopSchema, 'shop_migrations'),
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
      await tx.query(
        `DECLARE panelkit_backup NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS r FROM ${ident(name)}.${ident(table.name)} t`,
      );
      for (;;) {
        const { rows: batch } = await tx.query<{ r: string }>(`FETCH ${FETCH_ROWS} FROM panelkit_backup`);
        if (batch.length === 0) break;
        let chunk = '';
        for (const { r } of batch) {
          collectKeyIds(r, keyIds);
          chunk += line(r);
        }
        rows += batch.length;
        yield chunk;
      }
      await tx.query('CLOSE panelkit_backup');
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
  await source.db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    await pipeline(Readable.from(backupLines(tx, source, (t) => (trailer = t))), createGzip(), out);
  });
  return trailer!;
}
