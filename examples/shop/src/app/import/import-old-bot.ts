import type { ImportOptions, ImportReport, Panelkit } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { readMirza } from './mirza-reader.js';
import { openOldDatabase } from './mysql-rows.js';
import { type OldPanel, type PanelResolver, originOf, type RowReader } from './old-rows.js';
import { readWizwiz } from './wizwiz-reader.js';

/** The bots whose databases the shop can import. */
export const OLD_BOT_KINDS = ['mirza', 'wizwiz'] as const;
/** One of `OLD_BOT_KINDS`. */
export type OldBotKind = (typeof OLD_BOT_KINDS)[number];

/** What to import and how. */
export interface OldBotImport {
  kind: OldBotKind;
  /** `mysql://user:password@host:port/database` of the old bot. */
  databaseUrl: string;
  /** The import's name (keys every row); default the kind. */
  source?: string;
  /** The shop's currency. */
  currency: string;
  /** Multiplies the old bot's amounts (toman) into the shop's minor units; default 1. */
  amountFactor?: number;
  /** This shop's panel id for an old panel's key (Mirza: its name; wizwiz: its server id), when the URL does not tell. */
  panels?: Readonly<Record<string, string>>;
  dryRun: boolean;
  /** Hears how far the import has come after every chunk of rows. */
  onProgress?: ImportOptions['onProgress'];
}

/** Maps an old panel to this shop's: by explicit key first, else by the same scheme, host and port. */
export async function panelResolver(storage: StoragePort, explicit: Readonly<Record<string, string>>): Promise<PanelResolver> {
  const byOrigin = new Map<string, string>();
  for (const panel of await storage.panels.list()) {
    const origin = originOf(panel.baseUrl);
    if (origin !== null && !byOrigin.has(origin)) byOrigin.set(origin, panel.id);
  }
  return (old: OldPanel) => explicit[old.key] ?? byOrigin.get(originOf(old.url) ?? '') ?? null;
}

/** Reads an old bot's rows into an import batch. */
export async function readOldBot(
  read: RowReader,
  storage: StoragePort,
  request: Omit<OldBotImport, 'databaseUrl' | 'dryRun' | 'onProgress'>,
) {
  const options = {
    source: request.source ?? request.kind,
    currency: request.currency,
    amountFactor: request.amountFactor ?? 1,
    panelFor: await panelResolver(storage, request.panels ?? {}),
  };
  return request.kind === 'mirza' ? readMirza(read, options) : readWizwiz(read, options);
}

/**
 * Imports a Mirza or wizwiz bot's customers, balances, plans and live services into the shop through
 * `kit.importShop` (idempotent, resumable, with a dry run); returns its report.
 */
export async function importOldBot(shop: { kit: Panelkit; storage: StoragePort }, request: OldBotImport): Promise<ImportReport> {
  const database = await openOldDatabase(request.databaseUrl);
  try {
    const batch = await readOldBot(database.read, shop.storage, request);
    return await shop.kit.importShop(batch, { dryRun: request.dryRun, ...(request.onProgress ? { onProgress: request.onProgress } : {}) });
  } finally {
    await database.close();
  }
}
