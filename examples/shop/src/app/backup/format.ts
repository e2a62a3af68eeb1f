/** The name every backup file's first line carries, so a wrong file is refused at once. */
export const BACKUP_FORMAT = 'panelkit-backup';
/** The version of the file layout this build writes and reads. */
export const BACKUP_FORMAT_VERSION = 1;
/** The context the shop's own secret (identities, CSRF, link tokens) is sealed under inside a backup. */
export const BACKUP_SHOP_SECRET_CONTEXT = 'backup.shop-secret';

/** Which of the two schemas a table lives in: the engine's (`<schema>`) or the shop's (`<schema>_shop`). */
export type BackupSchema = 'engine' | 'shop';

/** What a table line starts with (a row line always starts with `{`). */
export const TABLE_LINE_PREFIX = '#table ';

/**
 * The first line of a backup: what made it and what restoring it needs. The rows follow as lines, each table's
 * introduced by a {@link BackupTableLine}, and a {@link BackupTrailer} closes the file.
 */
export interface BackupHeader {
  kind: 'header';
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  engineSchemaVersion: number;
  shopSchemaVersion: number;
  /** The shop's secret, sealed with the shop's current key (never in plain text): restored panels keep their identities. */
  sealedShopSecret: string;
}

/**
 * Starts a table's rows: the rows after it, up to the next table line or the trailer, are that table's. Written after
 * {@link TABLE_LINE_PREFIX}, which no row (a JSON object) can start with.
 */
export interface BackupTableLine {
  kind: 'table';
  schema: BackupSchema;
  name: string;
}

/** The last line: per-table row counts, the secret keys the sealed values need, and the SHA-256 of every line before it. */
export interface BackupTrailer {
  kind: 'trailer';
  tables: { schema: BackupSchema; name: string; rows: number }[];
  /** Ids of the keys that sealed values in this backup; each must be in SHOP_SECRET_KEYS to restore it. */
  keyIds: string[];
  sha256: string;
}

/** Why a backup file was refused; `message` says what to do. */
export class BackupError extends Error {
  constructor(
    readonly reason: 'not_a_backup' | 'corrupt' | 'version' | 'schema' | 'missing_key' | 'not_empty' | 'secret_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

const SEALED_KEY_ID = /pk1\.([A-Za-z0-9_-]{1,32})\.[A-Za-z0-9_-]{16}\./g;

/** Adds the key ids of the sealed values inside a line of text to `into`. */
export function collectKeyIds(text: string, into: Set<string>): void {
  for (const match of text.matchAll(SEALED_KEY_ID)) into.add(match[1]!);
}
