import type { FiguresStatus } from '../../domain/owner-figures.js';
import type { NewJob } from '../../domain/job.js';
import { FIGURES_DEFINITIONS_VERSION } from '../../rules/figures/version.js';
import type { EngineContext } from '../context.js';
import { eachAlone, type JobHandler } from '../handler.js';
import { enqueueFold, metaMatches } from './fold.js';
import { FIGURES_REBUILD_JOB, FIGURES_SERIAL_KEY, REBUILD_PAGE, type ResolvedFigures } from './settings.js';

function rebuildJob(): NewJob {
  return { type: FIGURES_REBUILD_JOB, payload: {}, dedupeKey: FIGURES_REBUILD_JOB, serialKey: FIGURES_SERIAL_KEY, maxAttempts: 10 };
}

/**
 * Starts a rebuild in one transaction: the meta takes the kit's settings and the SDK's definitions with a rebuild
 * cursor `''` (before the first page), and the `figures.rebuild` job is enqueued (merged into a queued one). The
 * clear happens in the job's first page, under the serial key folds share, so a fold job never runs beside it. A
 * second start before the first page ran changes nothing; one after it restarts the paging from the start, which
 * costs a second pass but stays exact (the clear empties rollups and folded contributions together).
 */
export async function startRebuild(ctx: EngineContext, settings: ResolvedFigures): Promise<void> {
  await ctx.storage.transaction(async (tx) => {
    const meta = await tx.figures.meta();
    await tx.figures.setMeta({
      timeZone: settings.calendar.timeZone,
      calendar: settings.calendar.calendar,
      definitionsVersion: FIGURES_DEFINITIONS_VERSION,
      foldedAt: meta?.foldedAt ?? null,
      rebuildCursor: '',
    });
    await tx.jobs.enqueue(rebuildJob());
  });
}

/**
 * One page of a rebuild in one transaction: the first (cursor `''`) clears the rollups; each marks up to
 * {@link REBUILD_PAGE} customers after the cursor and moves it; the last sets it to `null` and enqueues a fold.
 * Returns whether pages are left.
 */
export async function rebuildPage(ctx: EngineContext): Promise<boolean> {
  return ctx.storage.transaction(async (tx) => {
    const meta = await tx.figures.meta();
    if (meta === null || meta.rebuildCursor === null) return false;
    if (meta.rebuildCursor === '') await tx.figures.clear();
    const last = await tx.figures.markAll(meta.rebuildCursor, REBUILD_PAGE);
    await tx.figures.setMeta({ ...meta, rebuildCursor: last });
    await enqueueFold(tx.jobs);
    return last !== null;
  });
}

/** Runs `figures.rebuild`: pages until done or the kit's fold budget passed, then enqueues itself again if pages are left. */
export function figuresRebuildHandler(settings: ResolvedFigures): JobHandler {
  return {
    type: FIGURES_REBUILD_JOB,
    local: true,
    route: async () => null,
    run: eachAlone(async (env) => {
      const started = env.ctx.clock.now().getTime();
      let more = true;
      while (more && env.ctx.clock.now().getTime() - started < settings.foldBudgetMs) more = await rebuildPage(env.ctx);
      if (more) await env.ctx.storage.jobs.enqueue(rebuildJob());
    }),
  };
}

/** The figures' status: settings, backlog, rebuild progress (`rebuilding` also while the meta is not this kit's yet). */
export async function figuresStatus(ctx: EngineContext, settings: ResolvedFigures): Promise<FiguresStatus> {
  const [meta, pending] = await Promise.all([ctx.storage.figures.meta(), ctx.storage.figures.pending()]);
  return {
    timeZone: settings.calendar.timeZone,
    calendar: settings.calendar.calendar,
    foldedAt: meta?.foldedAt ?? null,
    pending,
    rebuilding: !metaMatches(meta, settings.calendar) || meta.rebuildCursor !== null,
  };
}
