import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupError,
  TABLE_LINE_PREFIX,
  type BackupHeader,
  type BackupSchema,
  type BackupTrailer,
} from './format.js';

/** One line of a backup as read back: a table's start, or one row (PostgreSQL's JSON of it) of the current table. */
export type BackupEntry = { kind: 'table'; schema: BackupSchema; name: string } | { kind: 'row'; json: string };

async function* linesOf(file: string): AsyncGenerator<string> {
  const input = createReadStream(file).pipe(createGunzip());
  try {
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) yield line;
  } catch (error) {
    throw new BackupError('corrupt', `${file} is not a readable backup (${(error as Error).message}); was it cut short or changed?`);
  }
}

function parse<T>(line: string | undefined, what: string): T {
  try {
    return JSON.parse(line ?? '') as T;
  } catch {
    throw new BackupError('corrupt', `the backup's ${what} cannot be read; the file is damaged`);
  }
}

/**
 * Reads a backup through once without writing anything: the header (format and version), every line's SHA-256 against
 * the trailer's, and the trailer's row counts against the rows. Any difference is a `BackupError`.
 */
export async function verifyBackup(file: string): Promise<{ header: BackupHeader; trailer: BackupTrailer }> {
  const hash = createHash('sha256');
  let header: BackupHeader | null = null;
  let previous: string | undefined;
  const counted = new Map<string, number>();
  let current = '';
  for await (const line of linesOf(file)) {
    if (previous !== undefined) {
      hash.update(`${previous}\n`);
      if (previous.startsWith(TABLE_LINE_PREFIX)) {
        const t = parse<{ schema: string; name: string }>(previous.slice(TABLE_LINE_PREFIX.length), 'table line');
        current = `${t.schema}.${t.name}`;
        counted.set(current, 0);
      } else if (header !== null && current !== '') counted.set(current, (counted.get(current) ?? 0) + 1);
    }
    if (header === null) {
      const first = parse<Partial<BackupHeader>>(line, 'first line');
      if (first.kind !== 'header' || first.format !== BACKUP_FORMAT)
        throw new BackupError('not_a_backup', `${file} is not a panelkit backup`);
      if (first.version !== BACKUP_FORMAT_VERSION) {
        throw new BackupError(
          'version',
          `the backup's format is version ${first.version}; this build reads version ${BACKUP_FORMAT_VERSION}`,
        );
      }
      header = first as BackupHeader;
    }
    previous = line;
  }
  if (header === null) throw new BackupError('not_a_backup', `${file} is empty`);
  const trailer = parse<BackupTrailer>(previous, 'last line');
  if (trailer.kind !== 'trailer') throw new BackupError('corrupt', 'the backup has no closing line: it was cut short');
  if (trailer.sha256 !== hash.digest('hex'))
    throw new BackupError('corrupt', "the backup's checksum does not match its contents: the file was changed or damaged");
  for (const t of trailer.tables) {
    if ((counted.get(`${t.schema}.${t.name}`) ?? 0) !== t.rows)
      throw new BackupError('corrupt', `table ${t.schema}.${t.name} does not hold the rows the backup lists`);
  }
  return { header, trailer };
}

/** The table lines and rows of a backup, in order (header and trailer left out); call {@link verifyBackup} first. */
export async function* backupEntries(file: string): AsyncGenerator<BackupEntry> {
  let first = true;
  let pending: string | undefined;
  for await (const line of linesOf(file)) {
    if (first) {
      first = false;
      continue;
    }
    if (pending !== undefined) yield entryOf(pending);
    pending = line;
  }
}

function entryOf(line: string): BackupEntry {
  if (line.startsWith(TABLE_LINE_PREFIX)) {
    const t = JSON.parse(line.slice(TABLE_LINE_PREFIX.length)) as { schema: BackupSchema; name: string };
    return { kind: 'table', schema: t.schema, name: t.name };
  }
  return { kind: 'row', json: line };
}
