import type { Panel } from '../domain/panel.js';
import type { Subscription, UsageReading } from '../domain/subscription.js';
import { HAS_REMOTE_CLIENT } from '../domain/subscription-status.js';
import { ConflictError, toPanelkitError } from '../errors.js';
import type { RemoteClient } from '../ports/panel.js';
import { targetRefOf } from '../engine/desired-state.js';
import type { TickScope } from './tick-scope.js';
import { pages } from './tick-scope.js';
import { auditSubscription } from '../engine/context.js';

/** What one usage sync did: panels read, clients seen, readings applied, warnings sent, panels that failed. */
export interface UsageSyncReport {
  panels: number;
  clients: number;
  applied: number;
  warned: number;
  failedPanels: string[];
}

/** Every client on the panel with the subscription it belongs to. */
async function readPanel(scope: TickScope, panel: Panel): Promise<{ sub: Subscription; client: RemoteClient }[]> {
  const { ctx } = scope;
  const handle = ctx.panels.handleFor(panel);
  const adapter = handle.adapter;
  const found: { sub: Subscription; client: RemoteClient }[] = [];
  if (adapter.capabilities.bulkUsage) {
    let cursor: string | null = null;
    do {
      const page = await ctx.panels.call(handle, `usage:${panel.id}`, (c) => adapter.listClients({ cursor, limit: 500 }, c));
      for (const client of page.items) {
        const sub = await ctx.storage.subscriptions.getByUsername(panel.id, client.ref.username);
        if (sub !== null && HAS_REMOTE_CLIENT.has(sub.status)) found.push({ sub, client });
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    return found;
  }
  const statuses = [...HAS_REMOTE_CLIENT];
  const targets = new Map((await ctx.storage.targets.list({ panelId: panel.id })).map((t) => [t.id, t]));
  const calls: Promise<void>[] = [];
  for await (const sub of pages((p) => ctx.storage.subscriptions.listByPanel(panel.id, { statuses }, p))) {
    const target = targets.get(sub.targetId);
    if (target === undefined) continue;
    calls.push(
      (async () => {
        const ref = { target: targetRefOf(target), username: sub.remote.username, remoteClientId: sub.remoteClientId };
        const client = await ctx.panels.call(handle, `usage:${sub.id}`, (c) => adapter.getClient(ref, c));
        if (client !== null) found.push({ sub, client });
      })(),
    );
  }
  await Promise.all(calls);
  return found;
}

function crossedThresholds(scope: TickScope, sub: Subscription, usedBytes: number): string[] {
  if (sub.trafficLimitBytes === null || sub.trafficLimitBytes === 0 || sub.status !== 'active') return [];
  const limit = sub.trafficLimitBytes;
  return scope.ctx.policy.trafficWarningPercents
    .filter((p) => usedBytes * 100 >= limit * p)
    .map((p) => `traffic:${p}`)
    .filter((n) => !sub.notices.includes(n));
}

/**
 * Marks traffic thresholds crossed since the last notice, once per (subscription, threshold,
 * period). The panel's reading only says whether to look; the decision uses the usage as stored,
 * so a warning never runs ahead of the usage it reports (a reading storage ignored as not newer
 * warns on a later tick instead).
 */
async function warnTraffic(scope: TickScope, sub: Subscription, panelUsedBytes: number): Promise<number> {
  const { ctx } = scope;
  if (crossedThresholds(scope, sub, panelUsedBytes).length === 0) return 0;
  const updated = await ctx.storage.transaction(async (tx) => {
    const current = await tx.subscriptions.get(sub.id);
    if (current === null) return null;
    const todo = crossedThresholds(scope, current, current.usedBytes ?? 0);
    if (todo.length === 0) return null;
    const next = await tx.subscriptions.update(
      current.id,
      { notices: [...current.notices, ...todo] },
      { expectedRevision: current.revision },
    );
    for (const notice of todo) await auditSubscription(tx, scope.actor, 'subscription.warned', next, { notice });
    return { next, todo };
  });
  if (updated === null) return 0;
  for (const notice of updated.todo)
    ctx.events.emit('subscription:warned', { subscription: updated.next, actor: scope.actor, at: scope.now, notice });
  return updated.todo.length;
}

/**
 * Reads every client's cumulative usage from each panel (in bulk where the panel can), stores
 * it (a reading older than the stored one is ignored, so replays are harmless), and raises
 * traffic warnings. A panel that fails is reported and skipped; the others go on.
 */
export async function syncUsage(scope: TickScope): Promise<UsageSyncReport> {
  const { ctx } = scope;
  const report: UsageSyncReport = { panels: 0, clients: 0, applied: 0, warned: 0, failedPanels: [] };
  const panels = (await ctx.storage.panels.list()).filter((p) => p.health.status !== 'unhealthy');
  await Promise.all(
    panels.map(async (panel) => {
      const started = performance.now();
      try {
        const observedAt = ctx.clock.now();
        const found = await readPanel(scope, panel);
        const readings: UsageReading[] = found.map(({ sub, client }) => ({
          subscriptionId: sub.id,
          usedBytes: client.usedBytes,
          observedAt,
        }));
        let applied = 0;
        for (let i = 0; i < readings.length; i += 1000)
          applied += (await ctx.storage.subscriptions.recordUsage(readings.slice(i, i + 1000))).applied;
        for (const { sub, client } of found) {
          if (sub.status === 'on_hold' && client.expiry.type === 'at') scope.firstUseExpiry.set(sub.id, client.expiry.at);
          try {
            report.warned += await warnTraffic(scope, sub, client.usedBytes);
          } catch (error) {
            if (!ConflictError.is(error)) throw error;
          }
        }
        report.panels++;
        report.clients += found.length;
        report.applied += applied;
        ctx.events.emit('usage:synced', {
          panelId: panel.id,
          clients: found.length,
          applied,
          durationMs: Math.round(performance.now() - started),
          at: scope.now,
        });
      } catch (error) {
        report.failedPanels.push(panel.id);
        ctx.events.emit('usage:sync_failed', { panelId: panel.id, error: toPanelkitError(error), at: scope.now });
      }
    }),
  );
  return report;
}
