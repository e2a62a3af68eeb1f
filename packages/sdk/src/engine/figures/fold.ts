import type { NewJob } from '../../domain/job.js';
import type { FoldReport } from '../../domain/owner-figures.js';
import type { FigureMeta, FoldedBuyer } from '../../ports/storage-figures.js';
import type { JobRepository } from '../../ports/storage.js';
import { buyerContribution } from '../../rules/figures/buyer.js';
import type { FiguresCalendar } from '../../rules/figures/calendar.js';
import { addFigureCells, diffFigureCells, type FigureCell } from '../../rules/figures/cells.js';
import { FIGURES_DEFINITIONS_VERSION } from '../../rules/figures/version.js';
import type { EngineContext } from '../context.js';
import { eachAlone, type JobHandler } from '../handler.js';
import { FIGURES_FOLD_JOB, FIGURES_SERIAL_KEY, type ResolvedFigures } from './settings.js';

/** Whether the stored meta was written for these settings and the SDK's definitions (else the rollups need a rebuild). */
export function metaMatches(meta: FigureMeta | null, cal: FiguresCalendar): meta is FigureMeta {
  return (
    meta !== null &&
    meta.timeZone === cal.timeZone &&
    meta.calendar === cal.calendar &&
    meta.definitionsVersion === FIGURES_DEFINITIONS_VERSION
  );
}

/** The fold job: one queued at a time (dedupe key), one running at a time with the rebuild (serial key). */
export function figuresFoldJob(): NewJob {
  return { type: FIGURES_FOLD_JOB, payload: {}, dedupeKey: FIGURES_FOLD_JOB, serialKey: FIGURES_SERIAL_KEY, maxAttempts: 10 };
}

/** Enqueues the fold job (merged into a queued one when there is one). */
export async function enqueueFold(jobs: JobRepository): Promise<void> {
  await jobs.enqueue(figuresFoldJob());
}

/**
 * Folds one batch in one transaction: takes up to `batchSize` inbox rows, locks those customers' folded state, reads
 * their rows, recomputes each one's contribution, applies the differences (sorted by key, the rollups' lock order),
 * stores the new contributions and stamps `foldedAt`. Returns the customers folded, 0 when the inbox was empty, or
 * `null` when the stored meta is not this kit's (nothing taken: the rebuild must set it first).
 */
export async function foldBatch(ctx: EngineContext, settings: ResolvedFigures): Promise<number | null> {
  try {
    return await foldBatchOnce(ctx, settings);
  } catch (error) {
    if (error instanceof MetaMovedError) return null;
    throw error;
  }
}

/** Thrown inside a fold's transaction to roll it back (the taken rows go back) when the meta changed under it. */
class MetaMovedError extends Error {}

async function foldBatchOnce(ctx: EngineContext, settings: ResolvedFigures): Promise<number | null> {
  return ctx.storage.transaction(async (tx) => {
    if (!metaMatches(await tx.figures.meta(), settings.calendar)) return null;
    const ids = await tx.figures.take(settings.foldBatchSize);
    if (ids.length === 0) return 0;
    const before = await tx.figures.lockBuyers(ids);
    // `lockBuyers` holds the meta until commit (a clear and every meta write wait), so this read stays current: a
    // rebuild that started since the first read rolls the batch back, and the stamp below writes no stale cursor.
    const meta = await tx.figures.meta();
    if (!metaMatches(meta, settings.calendar)) throw new MetaMovedError('figures meta changed under a fold');
    const sources = await tx.figures.sources(ids);
    const sum = new Map<string, FigureCell>();
    const after: FoldedBuyer[] = [];
    sources.forEach((rows, i) => {
      const contribution = buyerContribution(rows, settings.calendar);
      const was = before[i]?.cells ?? [];
      // A contribution's cells are merged and sorted already: one never folded (every customer of a rebuild) adds them as they are.
      addFigureCells(sum, was.length === 0 ? contribution.cells : diffFigureCells(was, contribution.cells));
      after.push({ customerId: contribution.customerId, definitionsVersion: contribution.definitionsVersion, cells: contribution.cells });
    });
    const deltas = diffFigureCells([], [...sum.values()]);
    if (deltas.length > 0) await tx.figures.apply(deltas);
    await tx.figures.putBuyers(after);
    await tx.figures.setMeta({ ...meta, foldedAt: ctx.clock.now() });
    return ids.length;
  });
}

/**
 * Folds what is pending when called: at most as many batches as the inbox held then (rows marked meanwhile wait for
 * the next run), and no new batch once `budgetMs` has passed on the kit's clock.
 */
export async function foldPending(ctx: EngineContext, settings: ResolvedFigures, budgetMs: number): Promise<FoldReport> {
  const started = ctx.clock.now().getTime();
  const maxBatches = Math.ceil((await ctx.storage.figures.pending()) / settings.foldBatchSize);
  const report: FoldReport = { batches: 0, buyers: 0, pending: 0 };
  while (report.batches < maxBatches && ctx.clock.now().getTime() - started < budgetMs) {
    const folded = await foldBatch(ctx, settings);
    if (folded === null || folded === 0) break;
    report.batches++;
    report.buyers += folded;
  }
  report.pending = await ctx.storage.figures.pending();
  return report;
}

/** Runs `figures.fold`: folds for the kit's budget, then enqueues itself again when rows are left. */
export function figuresFoldHandler(settings: ResolvedFigures): JobHandler {
  return {
    type: FIGURES_FOLD_JOB,
    local: true,
    route: async () => null,
    run: eachAlone(async (env) => {
      const report = await foldPending(env.ctx, settings, settings.foldBudgetMs);
      if (report.pending > 0 && report.batches > 0) await enqueueFold(env.ctx.storage.jobs);
    }),
  };
}
