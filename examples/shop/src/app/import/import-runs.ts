import {
  type Actor,
  createId,
  defineHostJob,
  enqueueHostJob,
  type HostJobDefinition,
  type ImportOptions,
  type ImportReport,
  ValidationError,
} from '@panelkit/sdk';
import { z } from 'zod';
import { databaseLabel, type ImportRun, type ImportRunRequest, ImportRunStore } from '../../db/import-runs.js';
import { registerLogSecrets } from '../../logging/logger.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { importOldBot } from './import-old-bot.js';

/** The host job that runs one import the owner started on the admin page. */
export const OLD_BOT_IMPORT_TYPE = 'shop.import.old_bot';

const RunPayloadSchema = z.object({ runId: z.string().min(1).max(64) });

/** MySQL errors no retry mends: a wrong user or password, a database that is not there. */
const PERMANENT_MYSQL_ERRORS = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_NO_SUCH_TABLE']);

function storeOf(shop: Shop): ImportRunStore {
  return new ImportRunStore(shop.db, shop.shopSchema, shop.clock, shop.secretBox);
}

/** The password a database URL carries, or `null`. */
function passwordOf(url: string): string | null {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? null : password;
  } catch {
    return null;
  }
}

/** `message` with the URL's password blanked wherever it occurs. */
function withoutPassword(message: string, url: string): string {
  const password = passwordOf(url);
  return password === null ? message : message.split(password).join('[redacted]');
}

/**
 * Runs a recorded import to its end: opens the old bot's database, brings its rows over (`kit.importShop`, a
 * chunk a transaction) writing the run's progress after every chunk, and records the report. Run again after a
 * crash it resumes: what was brought over is found, not doubled. A wrong password or database is a
 * `ValidationError` (final); anything else is thrown as it is (the job retries it).
 */
export async function runImport(shop: Shop, runId: string, onProgress?: ImportOptions['onProgress']): Promise<ImportReport> {
  const store = storeOf(shop);
  const request = await store.request(runId);
  if (request === null) throw new ShopError('not_found', 'errors.notFound');
  registerLogSecrets(shop.logger, passwordOf(request.databaseUrl), request.databaseUrl);
  await store.started(runId);
  try {
    const report = await importOldBot(shop, {
      ...request,
      currency: shop.config.currency,
      onProgress: async (progress) => {
        await store.progress(runId, progress);
        await onProgress?.(progress);
      },
    });
    await store.finished(runId, report);
    return report;
  } catch (error) {
    const message = withoutPassword(error instanceof Error ? error.message : String(error), request.databaseUrl);
    if (PERMANENT_MYSQL_ERRORS.has((error as { code?: string }).code ?? '')) throw new ValidationError(message, []);
    throw new Error(message, { cause: error });
  }
}

/** Records an import run the command starts itself (no job: the command runs it in its own process). */
export async function recordImportRun(shop: Shop, request: ImportRunRequest): Promise<string> {
  const id = createId('imp');
  await storeOf(shop).create(id, request, null);
  return id;
}

/**
 * The owner's imports run on the shop's worker: one at a time (serial key), retried while the old database is
 * away, given up with the reason on the run's record.
 */
export function oldBotImportJob(shopOf: () => Shop): HostJobDefinition<typeof RunPayloadSchema> {
  return defineHostJob({
    type: OLD_BOT_IMPORT_TYPE,
    payload: RunPayloadSchema,
    serialKey: () => OLD_BOT_IMPORT_TYPE,
    retry: { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 15 * 60_000, giveUpAfterMs: 12 * 3_600_000 },
    async run({ runId }) {
      await runImport(shopOf(), runId);
    },
    async onDead({ runId }, error) {
      await storeOf(shopOf()).failed(runId, error.message);
    },
  });
}

/** What the owner asks for on the admin page. */
export const StartImportSchema = z.object({
  kind: z.enum(['mirza', 'wizwiz'], { message: 'import.badKind' }),
  databaseUrl: z
    .string()
    .trim()
    .max(2000)
    .refine((url) => /^mysql:\/\/[^/\s]+\/[A-Za-z0-9_$-]+$/.test(url) && databaseLabel(url) !== '?', { message: 'import.badUrl' }),
  amountFactor: z
    .string()
    .trim()
    .max(20)
    .optional()
    .transform((v, ctx) => {
      const n = v === undefined || v === '' ? 1 : Number(v);
      if (!Number.isFinite(n) || n <= 0 || n > 1_000_000) {
        ctx.addIssue({ code: 'custom', message: 'import.badFactor' });
        return z.NEVER;
      }
      return n;
    }),
  dryRun: z
    .string()
    .optional()
    .transform((v) => v === 'on'),
});
/** A start request, validated. */
export type StartImport = z.output<typeof StartImportSchema>;

/**
 * Starts an import of an old bot's database for the owner: the run's record, its job on the worker and the audit
 * entry (the database's host and name, never its user or password) in one transaction. Returns the run's id.
 */
export async function startOldBotImport(shop: Shop, actor: Actor, input: StartImport): Promise<string> {
  const job = shop.hostJobs.find((d) => d.type === OLD_BOT_IMPORT_TYPE);
  if (job === undefined) throw new ShopError('unavailable', 'errors.unavailable');
  const id = createId('imp');
  const request: ImportRunRequest = {
    kind: input.kind,
    source: input.kind,
    databaseUrl: input.databaseUrl,
    amountFactor: input.amountFactor,
    panels: {},
    dryRun: input.dryRun,
  };
  registerLogSecrets(shop.logger, passwordOf(input.databaseUrl), input.databaseUrl);
  await shop.storage.transaction(async (tx) => {
    await storeOf(shop).create(id, request, actor.id ?? null, tx);
    await enqueueHostJob(tx, job, { runId: id }, { key: id });
    await tx.audit.append({
      actor,
      action: 'import.started',
      subjectType: 'import',
      subjectId: id,
      data: { kind: input.kind, database: databaseLabel(input.databaseUrl), dryRun: input.dryRun, amountFactor: input.amountFactor },
    });
  });
  return id;
}

/** The newest import runs, for the admin page. */
export function listImportRuns(shop: Shop): Promise<ImportRun[]> {
  return storeOf(shop).list(20);
}

/** One import run with its report; a missing one is a 404. */
export async function importRun(shop: Shop, id: string): Promise<ImportRun> {
  const run = await storeOf(shop).get(id);
  if (run === null) throw new ShopError('not_found', 'errors.notFound');
  return run;
}
