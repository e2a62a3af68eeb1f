/**
 * The shop's SQL lives in `src/db/` (its own tables), and none of it touches the engine's tables (the kit gives
 * what the shop needs). One file outside `src/db/` calls `query(` by design: the importer's reader of another bot's
 * MySQL database. The backup copies every table through `@panelkit/storage-postgres`'s schema copy and runs no SQL
 * of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SHOP = join(import.meta.dirname, '..');

/** Files that call `query(` without SQL of the shop's own: the importer reads the old bot's MySQL tables (not this shop's database). */
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

  it('runs only in src/db/, the backup included', () => {
    const outside = files.filter((f) => !f.file.startsWith('src/db/') && !OTHER_DATABASES.includes(f.file) && RUNS_SQL.test(f.text));
    expect(outside.map((f) => f.file)).toEqual([]);
  });

  it('never names the engine’s tables', () => {
    const onEngine = files.filter((f) => ENGINE_TABLE.test(f.text));
    expect(onEngine.map((f) => f.file)).toEqual([]);
  });
});
