/**
 * The shop's SQL lives in `src/db/` (its own tables), and none of it touches the engine's tables (the kit
 * gives what the shop needs). The files below still hold SQL of their own and are to move; the list may only
 * shrink: a new file with SQL outside `src/db/`, or one of these with none left, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SHOP = join(import.meta.dirname, '..');

/** Still to move into `src/db/` (SQL on the shop's own tables, mixed with other work). */
const NOT_MOVED_YET = [
  'src/app/auth/credentials.ts',
  'src/app/auth/sign-in-throttle.ts',
  'src/app/payments/support-money.ts',
  'src/app/backup/export.ts',
  'src/app/backup/restore.ts',
  'src/app/backup/tables.ts',
  'src/app/notifications/email-channel.ts',
  'src/app/payments/receipt-search.ts',
  'src/app/plans/plan-texts.ts',
  'src/routes/health.ts',
  'src/stack/shop-secrets.ts',
  'src/telegram/admin/daily.ts',
  'src/telegram/broadcast-jobs.ts',
  'src/telegram/channel.ts',
];
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

  it('runs only in src/db/ (and in the files still to move, a list that only shrinks)', () => {
    const outside = files.filter((f) => !f.file.startsWith('src/db/') && !OTHER_DATABASES.includes(f.file) && RUNS_SQL.test(f.text));
    expect(outside.map((f) => f.file).sort()).toEqual([...NOT_MOVED_YET].sort());
  });

  it('never names the engine’s tables', () => {
    const onEngine = files.filter(
      (f) => f.file !== 'src/app/backup/export.ts' && f.file !== 'src/app/backup/restore.ts' && ENGINE_TABLE.test(f.text),
    );
    expect(onEngine.map((f) => f.file)).toEqual([]);
  });
});
