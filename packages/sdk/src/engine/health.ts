import type { Actor } from '../domain/common.js';
import { ActorSchema, SYSTEM_ACTOR } from '../domain/common.js';
import type { Panel, PanelHealth } from '../domain/panel.js';
import { parseInput } from '../domain/validate.js';
import { toPanelkitError } from '../errors.js';
import type { PanelHealthReport } from '../ports/panel.js';
import type { EngineContext } from './context.js';

export interface PanelHealthCheckOptions {
  /** Who asked (an admin's "check now"): recorded on the audit event of a status change. Default the system. */
  actor?: Actor;
}

export interface PanelHealthResult {
  panelId: string;
  health: PanelHealth;
}

function nextHealth(previous: PanelHealth, report: PanelHealthReport, now: Date, failuresToUnhealthy: number): PanelHealth {
  if (report.ok) {
    return { status: 'healthy', checkedAt: now, latencyMs: report.latencyMs, consecutiveFailures: 0, lastError: null, version: report.version };
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
  try {
    report = await ctx.panels.call(handle, `health:${panel.id}`, (c) => handle.adapter.health(c));
  } catch (error) {
    report = { ok: false, latencyMs: 0, version: null, message: `${toPanelkitError(error).code}` };
  }
  const now = ctx.clock.now();
  const health = nextHealth(panel.health, report, now, ctx.policy.unhealthyAfterFailures);
  await ctx.storage.transaction(async (tx) => {
    await tx.panels.update(panel.id, { health });
    if (health.status !== panel.health.status) {
      await tx.audit.append({ actor, action: `panel.${health.status}`, subjectType: 'panel', subjectId: panel.id, data: { from: panel.health.status, lastError: health.lastError } });
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
 * `unhealthyAfterFailures` failed checks in a row: placement skips it and its jobs wait. One good
 * check makes it healthy again.
 */
export async function checkPanelHealth(ctx: EngineContext, panelId?: string, options: PanelHealthCheckOptions = {}): Promise<PanelHealthResult[]> {
  const actor = options.actor === undefined ? SYSTEM_ACTOR : parseInput(ActorSchema, options.actor, 'actor');
  const panels = panelId === undefined ? (await ctx.storage.panels.list()).filter((p) => p.enabled) : [await ctx.panels.get(panelId).then((h) => h.panel)];
  return Promise.all(panels.map((panel) => checkOne(ctx, panel, actor)));
}
