import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from './config/config.js';
import type { ImportProgress } from '@panelkit/sdk';
import { OLD_BOT_KINDS, type OldBotKind } from './app/import/import-old-bot.js';
import { recordImportRun, runImport } from './app/import/import-runs.js';
import { openShop } from './stack/shop.js';
import { exitOnStartupError } from './stack/startup-errors.js';

const USAGE = `usage: import <mirza|wizwiz> <mysql://user:pass@host:port/db> [--dry-run] [--source NAME]
       [--amount-factor N] [--panel OLD_KEY=PANEL_ID ...] [--report FILE]`;

/** `--panel name=pnl_…` pairs as a map. */
function panelMap(pairs: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw new Error(`--panel wants OLD_KEY=PANEL_ID, got ${pair}`);
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}

/** Prints each chunk's progress to stderr (stdout keeps the report): rows done of all, and rows a second so far. */
function progressPrinter(started: number): (progress: ImportProgress) => void {
  return ({ phase, done, total }) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const percent = total === 0 ? 100 : Math.floor((done * 100) / total);
    console.error(`import: ${done}/${total} rows (${percent}%), ${rate} rows/s [${phase}]`);
  };
}

/**
 * `npm run import -- <mirza|wizwiz> <mysql-url> [options]` (see docs/guides/importing-a-shop.md):
 * reads a Mirza or wizwiz bot's database and brings its customers (with their Telegram ids), wallet balances,
 * plans and live services (adopted on their panels as they are) into this shop. Safe to run again: what was
 * imported is not imported twice. `--dry-run` only reports. Progress (rows done of all, rows a second) goes to
 * stderr after every chunk, and to the run's record, which the owner's `/admin/import` page shows too. The report
 * (every row and its outcome) is printed as a summary and written whole to `--report` when given.
 */
async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      source: { type: 'string' },
      'amount-factor': { type: 'string', default: '1' },
      panel: { type: 'string', multiple: true, default: [] },
      report: { type: 'string' },
    },
  });
  const [kind, databaseUrl] = positionals;
  const factor = Number(values['amount-factor']);
  if (!OLD_BOT_KINDS.includes(kind as OldBotKind) || databaseUrl === undefined || !(factor > 0)) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig(process.env);
  const shop = await openShop({ ...config, demoPanel: false, panelsFile: null }, { logger: pino({ level: 'silent' }) });
  try {
    const runId = await recordImportRun(shop, {
      kind: kind as OldBotKind,
      databaseUrl,
      source: values.source ?? (kind as OldBotKind),
      amountFactor: factor,
      panels: panelMap(values.panel ?? []),
      dryRun: values['dry-run'] ?? false,
    });
    const report = await runImport(shop, runId, progressPrinter(performance.now()));
    const { rows, ...summary } = report;
    console.log(JSON.stringify(summary, null, 2));
    for (const row of rows.filter((r) => r.outcome === 'unmapped'))
      console.log(`unmapped ${row.kind} ${row.ref}: ${row.reason} ${row.detail ?? ''}`);
    if (values.report !== undefined) writeFileSync(values.report, JSON.stringify(report, null, 2));
  } finally {
    await shop.close();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  exitOnStartupError(error);
}
