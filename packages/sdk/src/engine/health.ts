import type { Actor } from '../domain/common.js';
import { ActorSchema, SYSTEM_ACTOR } from '../domain/common.js';
import type { Panel, PanelHealth } from '../domain/panel.js';
import { parseInput } from '../domain/validate.js';
import { PanelConnectionError, toPanelkitError } from '../errors.js';
import type { PanelHealthReport } from '../ports/panel.js';
import type { EngineContext } from './context.js';

/** Options of `kit.checkPanelHealth`. */
export interface PanelHealthCheckOptions {
  /** Who asked (an admin's "check now"): recorded on the audit event of a status change. Default the system. */
  actor?: Actor;
}

/** One panel's health after a check, as stored. */
export interface PanelHealthResult {
  panelId: string;
  health: PanelHealth;
}

function nextHealth(previous: PanelHealth, report: PanelHealthReport, now: Date, failuresToUnhealthy: number): PanelHealth {
  if (report.ok) {
    return {
      status: 'healthy',
      checkedAt: now,
      latencyMs: report.latencyMs,
      consecutiveFailures: 0,
      lastError: null,
      version: report.version,
    };
  }
  const failures = previous.consecutiveFailures + 1;
  return {
    status: failures >= failuresToUnhealthy ? 'unhealthy' : previous.status === 'unhealthy' ? 'unhealthy' : previous.status,
    checkedAt: now,
    latencyMs: report.latencyMs,
    consecutiveFailures: failures,
    lastError: (report.message ?? 'health check failed').slice(0, 1000),
    version: previous.version,
  };
}

async function checkOne(ctx: EngineContext, panel: Panel, actor: Actor): Promise<PanelHealthResult> {
  const handle = ctx.panels.handleFor(panel);
  let report: PanelHealthReport;
  // An adapter reports a failed check rather than throwing: thrown as retryable here, so a blip is retried
  // under the engine's read policy like any other read, and the last failed report is what is stored.
  let failed: PanelHealthReport | undefined;
  try {
    report = await ctx.panels.call(handle, `health:${panel.id}`, async (c) => {
      const checked = await handle.adapter.health(c);
      if (checked.ok) return checked;
      failed = checked;
      throw new PanelConnectionError(checked.message ?? 'health check failed', {
        panelId: panel.id,
        panelKind: panel.kind,
        operation: 'health',
      });
    });
  } catch (error) {
    report = failed ?? { ok: false, latencyMs: 0, version: null, message: `${toPanelkitError(error).code}` };
  }
  const now = ctx.clock.now();
  const health = nextHealth(panel.health, report, now, ctx.policy.unhealthyAfterFailures);
  await ctx.storage.transaction(async (tx) => {
    await tx.panels.update(panel.id, { health });
    // In the same transaction: a recovery is never recorded without waking the jobs parked on it.
    // Every good check wakes them, not only a change of status, so a job parked by a worker that
    // read the old status a moment ago is not left waiting for its recheck.
    if (health.status === 'healthy') await tx.jobs.unpark(panel.id);
    if (health.status !== panel.health.status) {
      await tx.audit.append({
        actor,
        action: `panel.${health.status}`,
        subjectType: 'panel',
        subjectId: panel.id,
        data: { from: panel.health.status, lastError: health.lastError },
      });
    }
  });
  if (health.status === 'unhealthy' && panel.health.status !== 'unhealthy') {
    ctx.events.emit('panel:unhealthy', { panelId: panel.id, message: health.lastError, at: now });
  } else if (health.status === 'healthy' && panel.health.status === 'unhealthy') {
    ctx.events.emit('panel:recovered', { panelId: panel.id, at: now });
  }
  return { panelId: panel.id, health };
}

/**
 * Checks panels (one, or every enabled one) and stores the result. A panel is unhealthy after
 * `unhealthyAfterFailures` failed checks in a row: placement skips it and the worker parks its
 * jobs without spending their attempts. One good check makes it healthy again and wakes them.
 */
export async function checkPanelHealth(
  ctx: EngineContext,
  panelId?: string,
  options: PanelHealthCheckOptions = {},
): Promise<PanelHealthResult[]> {
  const actor = options.actor === undefined ? SYSTEM_ACTOR : parseInput(ActorSchema, options.actor, 'actor');
  const panels =
    panelId === undefined
      ? (await ctx.storage.panels.list()).filter((p) => p.enabled)
      : [await ctx.panels.get(panelId).then((h) => h.panel)];
  return Promise.all(panels.map((panel) => checkOne(ctx, panel, actor)));
}

/** A panel not known to be well: unhealthy, or its last check failed. Checked every `unhealthyCheckIntervalMs`. */
export function isSuspect(panel: Panel): boolean {
  return panel.health.status === 'unhealthy' || panel.health.consecutiveFailures > 0;
}

/** Checks the enabled panels that are suspect (see `isSuspect`), so an outage and a recovery are both noticed soon. */
export async function checkSuspectPanels(ctx: EngineContext, actor: Actor): Promise<PanelHealthResult[]> {
  const panels = (await ctx.storage.panels.list()).filter((p) => p.enabled && isSuspect(p));
  return Promise.all(panels.map((panel) => checkOne(ctx, panel, actor)));
}
