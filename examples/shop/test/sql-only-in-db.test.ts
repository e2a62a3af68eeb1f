/**
 * The shop's SQL lives in `src/db/` (its own tables), and none of it touches the engine's tables (the kit gives
 * what the shop needs). Two kinds of file outside `src/db/` run SQL by design, each listed with its reason: the
 * backup, which copies every table as rows, and the importer's reader of another bot's MySQL database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SHOP = join(import.meta.dirname, '..');

/** The backup and its restore copy every table of both schemas, the engine's too, as rows: a dump, not a use of them. */
const BACKUP = ['src/app/backup/export.ts', 'src/app/backup/restore.ts', 'src/app/backup/tables.ts'];
/** Reads the old bot's MySQL tables when importing its data: not this shop's database. */
const OTHER_DATABASES = ['src/app/import/mysql-rows.ts'];

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourcesUnder(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A call that runs SQL: a client's `query(`, or the storage transaction's `transactionSql(`. */
const RUNS_SQL = /\.query(<[^>]*>)?\(|\btransactionSql\(/;
/** The engine's own schema, as the shop's SQL would name it. */
const ENGINE_TABLE =
  /\$\{[^}]*config\.schema[^}]*\}"?\.|\bpanelkit\.(subscriptions|customers|orders|ledger_entries|jobs|plans|panels|targets|audit_events)\b/;

describe('the shop’s SQL', () => {
  const files = sourcesUnder(join(SHOP, 'src')).map((path) => ({
    file: relative(SHOP, path).replaceAll('\\', '/'),
    text: readFileSync(path, 'utf8'),
  }));

  it('runs only in src/db/ (and in the backup, which dumps every table)', () => {
    const outside = files.filter((f) => !f.file.startsWith('src/db/') && !OTHER_DATABASES.includes(f.file) && RUNS_SQL.test(f.text));
    expect(outside.map((f) => f.file).sort()).toEqual([...BACKUP].sort());
  });

  it('never names the engine’s tables', () => {
    const onEngine = files.filter((f) => !BACKUP.includes(f.file) && ENGINE_TABLE.test(f.text));
    expect(onEngine.map((f) => f.file)).toEqual([]);
  });
});
