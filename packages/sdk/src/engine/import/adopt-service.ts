import { keyedId } from '../../domain/ids.js';
import { deriveRemoteIdentity } from '../../domain/remote-identity.js';
import type { RemoteIdentity } from '../../domain/remote-identity.js';
import type { Plan } from '../../domain/plan.js';
import type { Target } from '../../domain/target.js';
import { ConflictError, toPanelkitError } from '../../errors.js';
import type { ClientLinks, RemoteClient } from '../../ports/panel.js';
import type { Actor } from '../../domain/common.js';
import type { NewAuditEvent } from '../../domain/audit.js';
import type { NewSubscription } from '../../domain/subscription.js';
import type { PanelHandle } from '../adapters.js';
import type { EngineContext } from '../context.js';
import { adoptedState } from './adopted-state.js';
import type { ValidImportBatch } from './import-batch.js';
import type { ImportReportBuilder } from './import-report.js';
import type { PanelClientIndex } from './panel-clients.js';

type Service = ValidImportBatch['services'][number];

/** The subscription id an imported service gets: the same for the same source and old row, so a rerun finds it. */
export function importedSubscriptionId(source: string, ref: string): string {
  return keyedId('sub', `import:${source}:service:${ref}`);
}

/** What adopting one service needs that the orchestrator already resolved. */
export interface ServiceContext {
  ctx: EngineContext;
  batch: ValidImportBatch;
  report: ImportReportBuilder;
  clients: PanelClientIndex;
  actor: Actor;
  dryRun: boolean;
  customerId: string | null;
  /** The plan the service goes on (in a dry run, possibly one not stored yet). */
  plan: Pick<Plan, 'id' | 'durationDays' | 'maxClients' | 'allocated'>;
  /** Slots a dry run has counted so far, by target and plan id. */
  plannedSlots: Map<string, number>;
}

/** The identity an adopted client keeps: its own username and, where the old shop recorded them, its credentials. */
function adoptedIdentity(ctx: EngineContext, id: string, client: RemoteClient, service: Service): RemoteIdentity {
  const derived = deriveRemoteIdentity(id, 0, ctx.policy.identity);
  return {
    ...derived,
    username: client.ref.username,
    uuid: service.uuid ?? derived.uuid,
    subId: service.subId ?? derived.subId,
    adopted: true,
  };
}

function hasRoom(target: Target, plan: ServiceContext['plan'], planned: Map<string, number>): 'target_full' | 'plan_full' | null {
  const onTarget = planned.get(target.id) ?? 0;
  const onPlan = planned.get(plan.id) ?? 0;
  if (target.capacity !== null && target.allocated + onTarget >= target.capacity) return 'target_full';
  if (plan.maxClients !== null && plan.allocated + onPlan >= plan.maxClients) return 'plan_full';
  return null;
}

/** What the checks before an adoption read: the per-row path asks storage, the batch path its reads of a whole chunk. */
export interface AdoptionLookups {
  /** Whether a subscription with this id is stored. */
  stored(id: string): Promise<boolean>;
  /** The id of the subscription holding this client, or `null`. */
  owner(panelId: string, username: string): Promise<string | null>;
  target(panelId: string, remoteRef: string): Promise<Target | null>;
}

/** {@link AdoptionLookups} that read storage row by row. */
export function storageLookups(ctx: EngineContext): AdoptionLookups {
  return {
    stored: async (id) => (await ctx.storage.subscriptions.get(id)) !== null,
    owner: async (panelId, username) => (await ctx.storage.subscriptions.getByUsername(panelId, username))?.id ?? null,
    target: (panelId, remoteRef) => ctx.storage.targets.getByRemoteRef(panelId, remoteRef),
  };
}

/** A service whose checks passed: its client, and its subscription but for the links. */
export interface ReadyAdoption {
  service: Service;
  id: string;
  target: Target;
  planId: string;
  client: RemoteClient;
  subscription: Omit<NewSubscription, 'subscriptionUrl' | 'shareLinks'> & { id: string };
  username: string;
}

/** A service whose checks passed and whose links were read: what its subscription is written from. */
export interface PreparedAdoption extends ReadyAdoption {
  subscription: NewSubscription & { id: string };
}

/**
 * Everything before an adoption's write: finds the service's client on the panel and checks that it
 * can be adopted (not imported already, its customer known, its target synced, not held by another
 * subscription, an end of its own). Reports the row when it ends here (`exists`, unmapped with the
 * reason, or in a dry run what would happen) and returns `null`; else the adoption, whose links
 * {@link withLinks} reads next.
 */
export async function prepareAdoption(sc: ServiceContext, service: Service, lookups: AdoptionLookups): Promise<ReadyAdoption | null> {
  const { ctx, batch, report } = sc;
  const id = importedSubscriptionId(batch.source, service.ref);
  const unmapped = (reason: Parameters<ImportReportBuilder['unmapped']>[2], detail: string | null = null) => {
    report.unmapped('service', service.ref, reason, detail);
    return null;
  };
  const exists = () => {
    report.add({ kind: 'service', ref: service.ref, outcome: 'exists', id });
    return null;
  };
  if (await lookups.stored(id)) return exists();
  if (sc.customerId === null) return unmapped('unknown_customer', service.customerRef);
  const found = await sc.clients.of(service.panelId);
  if (!found.ok) return unmapped(found.reason, found.detail);
  const client = found.clients.get(service.username);
  if (client === undefined) return unmapped('client_not_found', service.username);
  const target = await lookups.target(service.panelId, client.ref.target.remoteRef);
  if (target === null) return unmapped('target_not_synced', client.ref.target.remoteRef);
  const owner = await lookups.owner(service.panelId, client.ref.username);
  // Ours when a run at the same moment adopted it since the first check.
  if (owner === id) return exists();
  if (owner !== null) return unmapped('client_already_owned', owner);
  const now = ctx.clock.now();
  const state = adoptedState(client, now);
  if (!state.ok) return unmapped(state.reason, service.username);
  if (sc.dryRun) {
    const full = hasRoom(target, sc.plan, sc.plannedSlots);
    if (full !== null) return unmapped(full, target.id);
    sc.plannedSlots.set(target.id, (sc.plannedSlots.get(target.id) ?? 0) + 1);
    sc.plannedSlots.set(sc.plan.id, (sc.plannedSlots.get(sc.plan.id) ?? 0) + 1);
    report.add({ kind: 'service', ref: service.ref, outcome: 'created', id });
    return null;
  }
  const subscription: Omit<NewSubscription, 'subscriptionUrl' | 'shareLinks'> & { id: string } = {
    id,
    customerId: sc.customerId,
    orderId: null,
    planId: sc.plan.id,
    panelId: service.panelId,
    targetId: target.id,
    status: state.status,
    remote: adoptedIdentity(ctx, id, client, service),
    remoteClientId: client.ref.remoteClientId ?? null,
    trafficLimitBytes: client.trafficLimitBytes,
    usedBytes: client.usedBytes,
    usageObservedAt: now,
    expiresAt: state.expiresAt,
    durationDays: state.onHoldDays ?? service.durationDays ?? sc.plan.durationDays,
    startOnFirstUse: state.startOnFirstUse,
    activatedAt: state.startOnFirstUse ? null : now,
    deviceLimit: client.deviceLimit,
  };
  return { service, id, target, planId: sc.plan.id, client, subscription, username: client.ref.username };
}

/**
 * Reads an adoption's links off its panel; or reports the service unmapped (`panel_unavailable`) and
 * returns `null`. `panel` gives its panel's handle (read from storage unless the caller has it). Calls made at once share the panel's queue and slots like every panel call.
 */
export async function withLinks(
  sc: ServiceContext,
  adoption: ReadyAdoption,
  panel: () => Promise<PanelHandle> = () => sc.ctx.panels.get(adoption.service.panelId),
): Promise<PreparedAdoption | null> {
  const { ctx } = sc;
  let links: ClientLinks;
  try {
    const handle = await panel();
    links = await ctx.panels.call(handle, `import:${adoption.id}:links`, (c) => handle.adapter.links(adoption.client.ref, c));
  } catch (error) {
    sc.report.unmapped('service', adoption.service.ref, 'panel_unavailable', toPanelkitError(error).message.slice(0, 500));
    return null;
  }
  return {
    ...adoption,
    subscription: { ...adoption.subscription, subscriptionUrl: links.subscriptionUrl, shareLinks: [...links.shareLinks] },
  };
}

/** The audit entry of an adopted subscription. */
export function adoptionAudit(sc: Pick<ServiceContext, 'actor' | 'batch'>, adoption: PreparedAdoption): NewAuditEvent {
  const data = { source: sc.batch.source, ref: adoption.service.ref, username: adoption.username };
  return { actor: sc.actor, action: 'subscription.imported', subjectType: 'subscription', subjectId: adoption.id, data };
}

/**
 * Adopts one live service in a transaction of its own: stores a subscription that names its client
 * (same username, credentials, expiry, traffic and links), taking its slot. Nothing is sent to the
 * panel but reads. A service already imported is `exists`; one that cannot be adopted is listed as
 * unmapped with the reason. The path of a service whose chunk could not be written in one go.
 */
export async function adoptService(sc: ServiceContext, service: Service): Promise<void> {
  const { ctx, report } = sc;
  const ready = await prepareAdoption(sc, service, storageLookups(ctx));
  const adoption = ready === null ? null : await withLinks(sc, ready);
  if (adoption === null) return;
  const { id, target } = adoption;
  const outcome = await ctx.storage
    .transaction(async (tx) => {
      if ((await tx.subscriptions.get(id)) !== null) return 'exists' as const;
      const reserved = await tx.capacity.reserve({ targetId: target.id, planId: adoption.planId, count: 1 });
      if (!reserved.ok) return reserved.reason;
      await tx.subscriptions.create(adoption.subscription);
      await tx.audit.append(adoptionAudit(sc, adoption));
      return 'created' as const;
    })
    .catch((error: unknown) => {
      // Another run adopted it (or the same client) at the same moment.
      if (ConflictError.is(error)) return 'conflict' as const;
      throw error;
    });
  if (outcome === 'created' || outcome === 'exists') return report.add({ kind: 'service', ref: service.ref, outcome, id });
  if (outcome === 'conflict') {
    const mine = await ctx.storage.subscriptions.get(id);
    return mine !== null
      ? report.add({ kind: 'service', ref: service.ref, outcome: 'exists', id })
      : report.unmapped('service', service.ref, 'client_already_owned', service.username);
  }
  return report.unmapped('service', service.ref, outcome, outcome === 'target_full' ? target.id : adoption.planId);
}
