import type { Panel } from '../domain/panel.js';
import type { Subscription } from '../domain/subscription.js';
import { HAS_REMOTE_CLIENT } from '../domain/subscription-status.js';
import { ConflictError, toPanelkitError } from '../errors.js';
import type { PageRequest } from '../domain/common.js';
import type { ClientListPage, RemoteClient, UnreadableClient } from '../ports/panel.js';
import { MAX_USERNAMES_PER_LOOKUP } from '../ports/storage.js';
import { targetRefOf } from '../engine/desired-state.js';
import type { PanelHandle } from '../engine/adapters.js';
import type { TickScope } from './tick-scope.js';
import { pages } from '../engine/paging.js';
import { auditSubscription } from '../engine/context.js';
import { activateOnHold } from './sweeps.js';
import { recordUnreadableClients } from './unreadable-clients.js';

/**
 * What one usage sync did on this replica: panels read, clients seen, readings applied, warnings
 * sent, on-hold subscriptions activated with the expiry their panel began on first use, panels that failed.
 */
export interface UsageSyncReport {
  panels: number;
  clients: number;
  applied: number;
  warned: number;
  activated: number;
  failedPanels: string[];
}

/** The tick-name prefix of one panel's usage slot: `panelkit:usage:<panel id>`, won by one replica per slot. */
export const USAGE_TICK_PREFIX = 'panelkit:usage:';

/** Clients asked for per `listClients` page, and so subscriptions looked up per query. */
const PAGE_SIZE = Math.min(500, MAX_USERNAMES_PER_LOOKUP);

interface Found {
  sub: Subscription;
  client: RemoteClient;
}

/** What one panel's sync added up to. */
interface PanelTally {
  clients: number;
  applied: number;
  warned: number;
  activated: number;
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
 * Acts on readings already stored: traffic warnings, and on-hold subscriptions whose panel started
 * the period on first use are activated with the panel's expiry.
 */
async function actOnReadings(scope: TickScope, found: readonly Found[], tally: PanelTally): Promise<void> {
  for (const { sub, client } of found) {
    if (sub.status === 'on_hold' && client.expiry.type === 'at') {
      if ((await activateOnHold(scope, sub, client.expiry.at)) !== null) tally.activated++;
      continue;
    }
    try {
      tally.warned += await warnTraffic(scope, sub, client.usedBytes);
    } catch (error) {
      if (!ConflictError.is(error)) throw error;
    }
  }
}

/** Stores one batch of readings by subscription id, then acts on them. */
async function applyReadings(scope: TickScope, found: readonly Found[], observedAt: Date, tally: PanelTally): Promise<void> {
  const { ctx } = scope;
  if (found.length === 0) return;
  const readings = found.map(({ sub, client }) => ({ subscriptionId: sub.id, usedBytes: client.usedBytes, observedAt }));
  tally.applied += (await ctx.storage.subscriptions.recordUsage(readings)).applied;
  tally.clients += found.length;
  await actOnReadings(scope, found, tally);
}

/** The lowest traffic warning percent: a reading under it cannot warn anyone. */
function watchPercent(scope: TickScope): number | null {
  const percents = scope.ctx.policy.trafficWarningPercents;
  return percents.length === 0 ? null : Math.min(...percents);
}

/**
 * Stores one page of a panel's readings by username in one statement; only the subscriptions that
 * storage names as worth a look (on hold, or near their traffic limit) are read whole and acted on.
 */
async function applyPage(
  scope: TickScope,
  panelId: string,
  clients: readonly RemoteClient[],
  observedAt: Date,
  tally: PanelTally,
): Promise<void> {
  const { ctx } = scope;
  const readings = clients.map((c) => ({ username: c.ref.username, usedBytes: c.usedBytes }));
  const written = await ctx.storage.subscriptions.recordPanelUsage(panelId, readings, { observedAt, watchPercent: watchPercent(scope) });
  tally.clients += written.matched;
  tally.applied += written.applied;
  if (written.watch.length === 0) return;
  const byUsername = new Map<string, RemoteClient>();
  for (const client of clients) byUsername.set(client.ref.username, client);
  const found: Found[] = [];
  for (const sub of await ctx.storage.subscriptions.getByUsernames(panelId, written.watch)) {
    const client = byUsername.get(sub.remote.username);
    if (client !== undefined && HAS_REMOTE_CLIENT.has(sub.status)) found.push({ sub, client });
  }
  await actOnReadings(scope, found, tally);
}

/**
 * A panel that lists clients in bulk: page after page, the next page asked for while this one's
 * readings are stored (one statement a page of up to {@link MAX_USERNAMES_PER_LOOKUP}). The walk holds
 * one of the panel's slots from its first page to its last (`PanelRegistry.hold`), not one per page.
 * Clients the panel fails to return are recorded once the walk is complete, and announced only when new
 * (`recordUnreadableClients`).
 */
async function syncListedPanel(scope: TickScope, handle: PanelHandle, observedAt: Date, tally: PanelTally): Promise<void> {
  const { ctx } = scope;
  const { panel, adapter } = handle;
  const unreadable: UnreadableClient[] = [];
  await ctx.panels.hold(handle, async (lane) => {
    const list = (request: PageRequest): Promise<ClientListPage> => lane.call(`usage:${panel.id}`, (c) => adapter.listClients(request, c));
    let next: Promise<ClientListPage> | null = list({ cursor: null, limit: PAGE_SIZE });
    while (next !== null) {
      const page: ClientListPage = await next;
      next = page.nextCursor === null ? null : list({ cursor: page.nextCursor, limit: PAGE_SIZE });
      // A failure below must not leave the prefetch's rejection unobserved.
      next?.catch(() => undefined);
      unreadable.push(...(page.unreadable ?? []));
      for (let i = 0; i < page.items.length; i += MAX_USERNAMES_PER_LOOKUP)
        await applyPage(scope, panel.id, page.items.slice(i, i + MAX_USERNAMES_PER_LOOKUP), observedAt, tally);
    }
  });
  // Only a walk that reached the last page knows which clients are unreadable now (and which are not any more).
  for (const client of await recordUnreadableClients(scope, panel.id, unreadable))
    ctx.events.emit('usage:client_unreadable', { panelId: panel.id, client, at: scope.now });
}

/** A panel without a bulk listing: one `getClient` per subscription with a client there. */
async function syncClientByClient(scope: TickScope, handle: PanelHandle, observedAt: Date, tally: PanelTally): Promise<void> {
  const { ctx } = scope;
  const { panel, adapter } = handle;
  const statuses = [...HAS_REMOTE_CLIENT];
  const targets = new Map((await ctx.storage.targets.list({ panelId: panel.id })).map((t) => [t.id, t]));
  const calls: Promise<Found | null>[] = [];
  for await (const sub of pages((p) => ctx.storage.subscriptions.listByPanel(panel.id, { statuses }, p))) {
    const target = targets.get(sub.targetId);
    if (target === undefined) continue;
    const ref = { target: targetRefOf(target), username: sub.remote.username, remoteClientId: sub.remoteClientId };
    calls.push(
      ctx.panels
        .call(handle, `usage:${sub.id}`, (c) => adapter.getClient(ref, c))
        .then((client) => (client === null ? null : { sub, client })),
    );
  }
  const found = (await Promise.all(calls)).filter((f): f is Found => f !== null);
  for (let i = 0; i < found.length; i += 1000) await applyReadings(scope, found.slice(i, i + 1000), observedAt, tally);
}

/** Reads one panel's usage and stores it; reports it as synced or failed. */
async function syncPanel(scope: TickScope, panel: Panel, report: UsageSyncReport): Promise<void> {
  const { ctx } = scope;
  const started = performance.now();
  const tally: PanelTally = { clients: 0, applied: 0, warned: 0, activated: 0 };
  try {
    const handle = ctx.panels.handleFor(panel);
    const observedAt = ctx.clock.now();
    if (handle.adapter.capabilities.bulkUsage) await syncListedPanel(scope, handle, observedAt, tally);
    else await syncClientByClient(scope, handle, observedAt, tally);
    report.panels++;
    ctx.events.emit('usage:synced', {
      panelId: panel.id,
      clients: tally.clients,
      applied: tally.applied,
      durationMs: Math.round(performance.now() - started),
      at: scope.now,
    });
  } catch (error) {
    report.failedPanels.push(panel.id);
    ctx.events.emit('usage:sync_failed', { panelId: panel.id, error: toPanelkitError(error), at: scope.now });
  } finally {
    report.clients += tally.clients;
    report.applied += tally.applied;
    report.warned += tally.warned;
    report.activated += tally.activated;
  }
}

/**
 * Reads every client's cumulative usage from the panels this replica wins for `slot`, and stores
 * it (a reading older than the stored one is ignored, so replays are harmless); raises traffic
 * warnings and starts the periods panels began on first use. Each panel has its own slot
 * (`USAGE_TICK_PREFIX` + id), so replicas share the panels: a replica takes the next panel only when
 * one of its `usageSyncPanelsAtOnce` lanes is free. A panel that fails is reported and skipped.
 */
export async function syncUsage(scope: TickScope, slot: Date): Promise<UsageSyncReport> {
  const { ctx } = scope;
  const report: UsageSyncReport = { panels: 0, clients: 0, applied: 0, warned: 0, activated: 0, failedPanels: [] };
  const waiting = (await ctx.storage.panels.list()).filter((p) => p.health.status !== 'unhealthy');
  const lanes = Math.max(1, Math.floor(ctx.policy.usageSyncPanelsAtOnce));
  const lane = async () => {
    for (let panel = waiting.shift(); panel !== undefined; panel = waiting.shift()) {
      let won: boolean;
      try {
        won = await ctx.storage.ticks.tryAcquire(`${USAGE_TICK_PREFIX}${panel.id}`, slot);
      } catch (error) {
        report.failedPanels.push(panel.id);
        ctx.events.emit('usage:sync_failed', { panelId: panel.id, error: toPanelkitError(error), at: scope.now });
        continue;
      }
      if (won) await syncPanel(scope, panel, report);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, waiting.length) }, lane));
  return report;
}
