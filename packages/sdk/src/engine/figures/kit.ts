import type { PanelkitFigures } from '../../domain/owner-figures.js';
import type { Clock } from '../../ports/clock.js';
import type { EngineContext } from '../context.js';
import { enqueueFold, foldPending, metaMatches } from './fold.js';
import { churnBy, figuresOverview } from './read.js';
import { figuresStatus, startRebuild } from './rebuild.js';
import { FIGURES_TICK, type ResolvedFigures } from './settings.js';

/** `kit.figures` over the engine's context (see `PanelkitFigures`). */
export function createFigures(ctx: EngineContext, settings: ResolvedFigures): PanelkitFigures {
  return {
    overview: (query) => figuresOverview(ctx, settings, query),
    churnBy: (query) => churnBy(ctx, settings, query),
    rebuild: async () => {
      await startRebuild(ctx, settings);
      return figuresStatus(ctx, settings);
    },
    status: () => figuresStatus(ctx, settings),
    foldNow: async (options) => {
      if (!metaMatches(await ctx.storage.figures.meta(), settings.calendar)) {
        await startRebuild(ctx, settings);
        return { batches: 0, buyers: 0, pending: await ctx.storage.figures.pending() };
      }
      return foldPending(ctx, settings, options?.budgetMs ?? settings.foldBudgetMs);
    },
  };
}

function slotOf(clock: Clock, intervalMs: number): Date {
  return new Date(Math.floor(clock.now().getTime() / intervalMs) * intervalMs);
}

/**
 * The scheduler's figures work, on its own slot (`foldIntervalMs`) that one replica wins: starts a rebuild when the
 * stored meta is missing or not this kit's (a first start on an existing shop, a new zone or calendar, new
 * definitions), else enqueues `figures.fold` when the inbox is not empty. Exactly one replica looks per slot, so two
 * replicas starting at once start one rebuild. Returns what it did.
 */
export async function figuresTick(ctx: EngineContext, settings: ResolvedFigures): Promise<'rebuild' | 'fold' | null> {
  if (!(await ctx.storage.ticks.tryAcquire(FIGURES_TICK, slotOf(ctx.clock, settings.foldIntervalMs)))) return null;
  if (!metaMatches(await ctx.storage.figures.meta(), settings.calendar)) {
    await startRebuild(ctx, settings);
    return 'rebuild';
  }
  if ((await ctx.storage.figures.pending()) === 0) return null;
  await enqueueFold(ctx.storage.jobs);
  return 'fold';
}
