import { keyedId } from '../../domain/ids.js';
import { deriveRemoteIdentity } from '../../domain/remote-identity.js';
import type { RemoteIdentity } from '../../domain/remote-identity.js';
import type { Plan } from '../../domain/plan.js';
import type { Target } from '../../domain/target.js';
import { ConflictError, toPanelkitError } from '../../errors.js';
import type { ClientLinks, RemoteClient } from '../../ports/panel.js';
import type { Actor } from '../../domain/common.js';
import type { EngineContext } from '../context.js';
import { auditSubscription } from '../context.js';
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

/**
 * Adopts one live service: finds its client on the panel, and stores a subscription that names that
 * client (same username, credentials, expiry, traffic and links), taking its slot. Nothing is sent to
 * the panel but reads. A service already imported is `exists`; one that cannot be adopted is listed
 * as unmapped with the reason.
 */
export async function adoptService(sc: ServiceContext, service: Service): Promise<void> {
  const { ctx, batch, report } = sc;
  const id = importedSubscriptionId(batch.source, service.ref);
  const unmapped = (reason: Parameters<ImportReportBuilder['unmapped']>[2], detail: string | null = null) =>
    report.unmapped('service', service.ref, reason, detail);
  if ((await ctx.storage.subscriptions.get(id)) !== null) return report.add({ kind: 'service', ref: service.ref, outcome: 'exists', id });
  if (sc.customerId === null) return unmapped('unknown_customer', service.customerRef);
  const found = await sc.clients.of(service.panelId);
  if (!found.ok) return unmapped(found.reason, found.detail);
  const client = found.clients.get(service.username);
  if (client === undefined) return unmapped('client_not_found', service.username);
  const target = await ctx.storage.targets.getByRemoteRef(service.panelId, client.ref.target.remoteRef);
  if (target === null) return unmapped('target_not_synced', client.ref.target.remoteRef);
  const owner = await ctx.storage.subscriptions.getByUsername(service.panelId, client.ref.username);
  // Ours when a run at the same moment adopted it since the first check.
  if (owner !== null && owner.id === id) return report.add({ kind: 'service', ref: service.ref, outcome: 'exists', id });
  if (owner !== null) return unmapped('client_already_owned', owner.id);
  const now = ctx.clock.now();
  const state = adoptedState(client, now);
  if (!state.ok) return unmapped(state.reason, service.username);
  if (sc.dryRun) {
    const full = hasRoom(target, sc.plan, sc.plannedSlots);
    if (full !== null) return unmapped(full, target.id);
    sc.plannedSlots.set(target.id, (sc.plannedSlots.get(target.id) ?? 0) + 1);
    sc.plannedSlots.set(sc.plan.id, (sc.plannedSlots.get(sc.plan.id) ?? 0) + 1);
    return report.add({ kind: 'service', ref: service.ref, outcome: 'created', id });
  }
  let links: ClientLinks;
  try {
    const handle = await ctx.panels.get(service.panelId);
    links = await ctx.panels.call(handle, `import:${id}:links`, (c) => handle.adapter.links(client.ref, c));
  } catch (error) {
    return unmapped('panel_unavailable', toPanelkitError(error).message.slice(0, 500));
  }
  const customerId = sc.customerId;
  const durationDays = state.onHoldDays ?? service.durationDays ?? sc.plan.durationDays;
  const outcome = await ctx.storage
    .transaction(async (tx) => {
      if ((await tx.subscriptions.get(id)) !== null) return 'exists' as const;
      const reserved = await tx.capacity.reserve({ targetId: target.id, planId: sc.plan.id, count: 1 });
      if (!reserved.ok) return reserved.reason;
      await tx.subscriptions.create({
        id,
        customerId,
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
        durationDays,
        startOnFirstUse: state.startOnFirstUse,
        activatedAt: state.startOnFirstUse ? null : now,
        deviceLimit: client.deviceLimit,
        subscriptionUrl: links.subscriptionUrl,
        shareLinks: [...links.shareLinks],
      });
      await auditSubscription(
        tx,
        sc.actor,
        'subscription.imported',
        { id },
        { source: batch.source, ref: service.ref, username: client.ref.username },
      );
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
      : unmapped('client_already_owned', service.username);
  }
  return unmapped(outcome, outcome === 'target_full' ? target.id : sc.plan.id);
}
