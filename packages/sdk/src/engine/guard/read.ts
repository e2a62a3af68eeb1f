import { z } from 'zod';
import type { EntitlementKind } from '../../domain/entitlement.js';
import type { Subscription } from '../../domain/subscription.js';
import type { ClientAddressReading, ClientListPage, ClientRef } from '../../ports/panel.js';
import { capabilitiesFor, kindsOf } from '../../ports/panel.js';
import type { GuardReadingRecord } from '../../ports/storage-guard.js';
import { MAX_GUARD_READINGS_PER_CALL } from '../../ports/storage-guard.js';
import { MAX_USERNAMES_PER_LOOKUP } from '../../ports/storage.js';
import { guardHashKey } from '../../rules/guard/addresses.js';
import type { GuardPolicy } from '../../rules/guard/policy.js';
import type { PanelHandle } from '../adapters.js';
import type { EngineContext } from '../context.js';
import { targetRefOf } from '../desired-state.js';
import type { HandlerEnv, JobHandler } from '../handler.js';
import { eachAlone } from '../handler.js';
import { parsePayload } from '../job-types.js';
import { pages } from '../paging.js';
import { evaluateGuard } from './evaluate.js';
import { guardRecordsFromAddresses, guardSourceClass } from './readings.js';
import { readRegistryForGuard } from './registry.js';

/**
 * The job that reads one panel's client addresses (or, where it reports none, the device registry) for the guard,
 * records the readings and evaluates what it read.
 */
export const GUARD_READ_JOB = 'guard.read';

/** The tick-name prefix of one panel's guard read slot: `panelkit:guard-read:<panel id>`, won by one replica a slot. */
export const GUARD_READ_TICK_PREFIX = 'panelkit:guard-read:';

const GuardReadPayloadSchema = z.object({ panelId: z.string() });

/** The subscriptions the guard reads: those whose client serves now. */
const READ_STATUSES = ['active'] as const;

/** What one `guard.read` job did on its panel. */
export interface GuardReadReport {
  /** Calls made to the panel for addresses. */
  calls: number;
  /** Readings recorded (`null` ones included: they move only `lastNullAt`). */
  recorded: number;
  /** Readings that gave a count (not `null`). */
  heard: number;
}

/**
 * Enqueues one `guard.read` job for each panel whose read slot (every `policy.guardReadIntervalMs`) this replica wins,
 * while the owner's guard policy is enabled. Leaderless: of all replicas ticking one slot, one enqueues a panel's job;
 * the dedupe key `guard.read:<panelId>` keeps one pending a panel and the serial key `guard:<panelId>` runs them one at
 * a time. Returns how many were enqueued.
 */
export async function enqueueGuardReads(ctx: EngineContext): Promise<number> {
  const { policy } = await ctx.storage.guard.getPolicy();
  if (!policy.enabled) return 0;
  const interval = ctx.policy.guardReadIntervalMs;
  const slot = new Date(Math.floor(ctx.clock.now().getTime() / interval) * interval);
  let enqueued = 0;
  for (const panel of await ctx.storage.panels.list()) {
    if (!(await ctx.storage.ticks.tryAcquire(`${GUARD_READ_TICK_PREFIX}${panel.id}`, slot))) continue;
    await ctx.storage.jobs.enqueue({
      type: GUARD_READ_JOB,
      payload: { panelId: panel.id },
      dedupeKey: `guard.read:${panel.id}`,
      serialKey: `guard:${panel.id}`,
      maxAttempts: 3,
    });
    enqueued++;
  }
  return enqueued;
}

/** Whether the panel reports the addresses of its clients of this kind (the kind has `clientAddresses`). */
function kindReadable(handle: PanelHandle, kind: EntitlementKind): boolean {
  const { adapter } = handle;
  return adapter.listClientAddresses !== undefined && capabilitiesFor(adapter.capabilities, kind)?.clientAddresses !== undefined;
}

/** Whether the guard can read a subscription's client on this panel (its kind has `clientAddresses`). */
function readable(handle: PanelHandle, sub: Subscription): boolean {
  return kindReadable(handle, sub.kind);
}

/** Whether some subscriptions of the panel are read through the registry: a kind it provisions reports no addresses. */
function readsRegistry(handle: PanelHandle): boolean {
  return kindsOf(handle.adapter.capabilities).some((kind) => !kindReadable(handle, kind));
}

/**
 * The registry's readings of the panel's live subscriptions its addresses do not cover (all of them on a panel
 * without `clientAddresses`), recorded and evaluated a page at a time. One source a subscription: addresses where the
 * panel reports them, the registry elsewhere, so no signal lands twice in one subscription's buckets.
 */
async function readRegistryOfPanel(ctx: EngineContext, policy: GuardPolicy, handle: PanelHandle, report: GuardReadReport): Promise<void> {
  let page: Subscription[] = [];
  const flush = async () => {
    await recordAndEvaluate(ctx, policy, await readRegistryForGuard(ctx, policy, page), report);
    page = [];
  };
  for await (const sub of pages((p) => ctx.storage.subscriptions.listByPanel(handle.panel.id, { statuses: READ_STATUSES }, p))) {
    if (readable(handle, sub)) continue;
    page.push(sub);
    if (page.length === MAX_GUARD_READINGS_PER_CALL) await flush();
  }
  if (page.length > 0) await flush();
}

/** Bulk panels: one call a target, every client of it; matched to live subscriptions a lookup page at a time. */
async function readBulk(env: HandlerEnv, handle: PanelHandle, report: GuardReadReport): Promise<Map<string, ClientAddressReading[]>> {
  const { ctx } = env;
  const byTarget = new Map<string, ClientAddressReading[]>();
  for (const target of await ctx.storage.targets.list({ panelId: handle.panel.id })) {
    const ref = targetRefOf(target);
    const readings = await env.call(
      handle,
      `guard-read:${handle.panel.id}:${target.id}`,
      (c) => handle.adapter.listClientAddresses!(ref, c),
      {
        first: report.calls === 0,
      },
    );
    report.calls++;
    byTarget.set(target.id, readings);
  }
  return byTarget;
}

/** Which live subscriptions of a per-client panel to read this slot (see {@link readPerClient}). */
async function perClientChoice(env: HandlerEnv, handle: PanelHandle, subs: readonly Subscription[]): Promise<Subscription[]> {
  const { ctx } = env;
  const budget = Math.floor(ctx.policy.guardClientReadsPerPanel);
  if (subs.length <= budget) return [...subs];
  const now = ctx.clock.now().getTime();
  const online = new Set<string>();
  if (handle.adapter.capabilities.bulkUsage) {
    let cursor: string | null = null;
    do {
      const page: ClientListPage = await env.call(handle, `guard-online:${handle.panel.id}:${cursor ?? ''}`, (c) =>
        handle.adapter.listClients({ cursor, limit: 500 }, c),
      );
      for (const client of page.items)
        if (client.lastOnlineAt !== null && now - client.lastOnlineAt.getTime() <= ctx.policy.guardReadIntervalMs)
          online.add(client.ref.username);
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  const pastOver = new Set<string>();
  for (let i = 0; i < subs.length; i += 1000) {
    const signals = await ctx.storage.guard.signals(subs.slice(i, i + 1000).map((s) => s.id));
    for (const s of signals) if (s.buckets.some((b) => b.over > 0)) pastOver.add(s.subscriptionId);
  }
  const rank = (s: Subscription) => (pastOver.has(s.id) ? 0 : online.has(s.remote.username) ? 1 : 2);
  const candidates = subs.filter((s) => rank(s) < 2).sort((a, b) => rank(a) - rank(b));
  const chosen = candidates.slice(0, budget);
  // The rest of the budget goes to a sample that rotates with the slot, so every client is read now and then.
  const rest = subs.filter((s) => rank(s) === 2);
  const room = budget - chosen.length;
  if (room > 0 && rest.length > 0) {
    const start = (Math.floor(now / ctx.policy.guardReadIntervalMs) * room) % rest.length;
    for (let i = 0; i < Math.min(room, rest.length); i++) chosen.push(rest[(start + i) % rest.length]!);
  }
  return chosen;
}

/**
 * Per-client panels: candidates only, within `policy.guardClientReadsPerPanel` calls a job, each through the panel's
 * slots. Candidates are clients with a past over reading, then clients the usage listing shows online within the read
 * interval; the rest of the budget is a sample that rotates slot by slot. A call that fails is no reading (`null`).
 */
async function readPerClient(
  env: HandlerEnv,
  handle: PanelHandle,
  subs: readonly Subscription[],
  report: GuardReadReport,
): Promise<ClientAddressReading[]> {
  const { ctx } = env;
  const targets = new Map((await ctx.storage.targets.list({ panelId: handle.panel.id })).map((t) => [t.id, t]));
  const chosen = await perClientChoice(env, handle, subs);
  return Promise.all(
    chosen.map(async (sub, i): Promise<ClientAddressReading> => {
      const target = targets.get(sub.targetId);
      const nothing = { username: sub.remote.username, at: ctx.clock.now(), addresses: null, silentNodes: [] };
      if (target === undefined) return nothing;
      const ref: ClientRef = { target: targetRefOf(target), username: sub.remote.username, remoteClientId: sub.remoteClientId };
      report.calls++;
      try {
        const [reading] = await env.call(handle, `guard-read:${sub.id}`, (c) => handle.adapter.listClientAddresses!([ref], c), {
          first: i === 0,
          attempt: 1,
        });
        return reading ?? nothing;
      } catch (error) {
        ctx.logger.warn({ err: error, subscriptionId: sub.id }, 'guard: a client address read failed (no reading)');
        return nothing;
      }
    }),
  );
}

/** Records readings a page at a time, then evaluates the subscriptions that gave one. */
async function recordAndEvaluate(ctx: EngineContext, policy: GuardPolicy, records: readonly GuardReadingRecord[], report: GuardReadReport) {
  for (let i = 0; i < records.length; i += MAX_GUARD_READINGS_PER_CALL)
    await ctx.storage.guard.recordReadings(records.slice(i, i + MAX_GUARD_READINGS_PER_CALL), policy.windowHours);
  report.recorded += records.length;
  const heard = [...new Set(records.filter((r) => r.prefixes !== null).map((r) => r.subscriptionId))];
  report.heard += records.filter((r) => r.prefixes !== null).length;
  for (let i = 0; i < heard.length; i += 1000) await evaluateGuard(ctx, heard.slice(i, i + 1000));
}

/**
 * One panel's guard read: its live clients' addresses where the panel reports them (`capabilities.clientAddresses`),
 * and for the live subscriptions it reports none for (a panel without the capability, or a kind without it) the
 * device registry's count of devices that fetched the link within the hour (see `readRegistryForGuard`). Recorded as
 * readings (a `null` reading stays no reading, never zero), then the window rule over what was heard. The registry is
 * read whatever the panel's health; its addresses are not asked while it is unhealthy. Nothing when the policy is off.
 */
export async function readPanelForGuard(env: HandlerEnv, panelId: string): Promise<GuardReadReport> {
  const { ctx } = env;
  const report: GuardReadReport = { calls: 0, recorded: 0, heard: 0 };
  const { policy } = await ctx.storage.guard.getPolicy();
  if (!policy.enabled) return report;
  const handle = await ctx.panels.get(panelId);
  if (readsRegistry(handle)) await readRegistryOfPanel(ctx, policy, handle, report);
  const capability = handle.adapter.capabilities.clientAddresses;
  if (capability === undefined || handle.adapter.listClientAddresses === undefined || handle.panel.health.status === 'unhealthy')
    return report;
  const input = { policy, key: guardHashKey(ctx.policy.identity.secret), source: guardSourceClass(capability) };
  if (capability.bulk) {
    const byTarget = await readBulk(env, handle, report);
    for (const readings of byTarget.values()) {
      for (let i = 0; i < readings.length; i += MAX_USERNAMES_PER_LOOKUP) {
        const page = readings.slice(i, i + MAX_USERNAMES_PER_LOOKUP);
        const subs = await ctx.storage.subscriptions.getByUsernames(
          panelId,
          page.map((r) => r.username),
        );
        const live = subs.filter((s) => s.status === 'active' && readable(handle, s));
        const records = guardRecordsFromAddresses(page, new Map(live.map((s) => [s.remote.username, s])), input);
        await recordAndEvaluate(ctx, policy, records, report);
      }
    }
    return report;
  }
  const subs: Subscription[] = [];
  for await (const sub of pages((p) => ctx.storage.subscriptions.listByPanel(panelId, { statuses: READ_STATUSES }, p)))
    if (readable(handle, sub)) subs.push(sub);
  const readings = await readPerClient(env, handle, subs, report);
  const records = guardRecordsFromAddresses(readings, new Map(subs.map((s) => [s.remote.username, s])), input);
  await recordAndEvaluate(ctx, policy, records, report);
  return report;
}

/** Runs `guard.read` jobs on their panel's queue (see {@link readPanelForGuard}). */
export const guardReadHandler: JobHandler = {
  type: GUARD_READ_JOB,
  route: async (_ctx, job) => ({ panelId: parsePayload(GuardReadPayloadSchema, job.payload, job.type).panelId }),
  run: eachAlone(async (env, job) => {
    await readPanelForGuard(env, parsePayload(GuardReadPayloadSchema, job.payload, job.type).panelId);
  }),
};
