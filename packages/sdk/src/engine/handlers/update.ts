import type { Job } from '../../domain/job.js';
import { deriveRemoteIdentity } from '../../domain/remote-identity.js';
import type { Subscription } from '../../domain/subscription.js';
import { NotFoundError, PanelNotFoundError } from '../../errors.js';
import type { PanelkitError } from '../../errors.js';
import type { ClientRef, ClientSpec, Expiry } from '../../ports/panel.js';
import type { EngineContext } from '../context.js';
import { WORKER_ACTOR, auditSubscription } from '../context.js';
import { targetRefOf } from '../desired-state.js';
import { eachAlone } from '../handler.js';
import type { HandlerEnv, JobHandler } from '../handler.js';
import { JOB_TYPES, UpdatePayloadSchema, parsePayload } from '../job-types.js';
import type { UpdatePayload } from '../job-types.js';
import { assertPanelUsable } from './panel-guard.js';

function payloadOf(job: Job): UpdatePayload {
  return parsePayload(UpdatePayloadSchema, job.payload, job.type);
}

function applied(sub: Subscription, p: UpdatePayload): boolean {
  return sub.expiresAt?.toISOString() === p.newExpiresAt && sub.remote.generation === p.generation && sub.trafficLimitBytes === p.newTrafficLimitBytes;
}

function sameExpiry(expiry: Expiry, at: string): boolean {
  return expiry.type === 'at' && expiry.at.toISOString() === at;
}

/** Applies the change on the panel: in place, or by removing the client and creating it anew. */
async function applyRemote(env: HandlerEnv, sub: Subscription, p: UpdatePayload, jobId: string) {
  const { ctx } = env;
  const handle = await ctx.panels.get(sub.panelId);
  assertPanelUsable(handle, 'updateClient');
  const target = await ctx.storage.targets.get(sub.targetId);
  if (target === null) throw new NotFoundError('target', sub.targetId);
  const adapter = handle.adapter;
  const identity = deriveRemoteIdentity(sub.id, p.generation, ctx.policy.identity);
  const ref: ClientRef = { target: targetRefOf(target), username: sub.remote.username, remoteClientId: sub.remoteClientId };
  const expiry: Expiry = { type: 'at', at: new Date(p.newExpiresAt) };
  const spec: ClientSpec = {
    identity,
    expiry,
    trafficLimitBytes: p.newTrafficLimitBytes,
    deviceLimit: adapter.capabilities.deviceLimit ? sub.deviceLimit : null,
    enabled: true,
    note: sub.id,
  };
  const linkChanged = p.generation !== sub.remote.generation;
  let client;
  if (!linkChanged) {
    try {
      const updated = await env.call(handle, `update:${jobId}:update`, (c) => adapter.updateClient(ref, { expiry, trafficLimitBytes: p.newTrafficLimitBytes, enabled: true }, c), { first: true });
      await env.call(handle, `update:${jobId}:reset`, (c) => adapter.resetUsage(ref, c));
      client = { ...updated, usedBytes: 0, uploadBytes: 0, downloadBytes: 0 };
    } catch (error) {
      if (!PanelNotFoundError.is(error)) throw error;
      [client] = await env.call(handle, `update:${jobId}:create`, (c) => adapter.createClients(ref.target, [spec], c));
    }
  } else {
    // A lost response may have left the new client in place already: then it is adopted as is.
    const existing = await env.call(handle, `update:${jobId}:get`, (c) => adapter.getClient(ref, c), { first: true });
    const done = existing !== null && sameExpiry(existing.expiry, p.newExpiresAt) && existing.trafficLimitBytes === p.newTrafficLimitBytes && existing.usedBytes === 0;
    if (done) client = existing;
    else {
      await env.call(handle, `update:${jobId}:delete`, (c) => adapter.deleteClient(ref, c));
      [client] = await env.call(handle, `update:${jobId}:create`, (c) => adapter.createClients(ref.target, [spec], c));
    }
  }
  if (client === undefined) throw new NotFoundError('updated client', sub.remote.username);
  const links = await env.call(handle, `update:${jobId}:links`, (c) => adapter.links(client.ref, c));
  return { client, links, identity, linkChanged };
}

export const updateHandler: JobHandler = {
  type: JOB_TYPES.update,

  async route(ctx, job) {
    const sub = await ctx.storage.subscriptions.get(payloadOf(job).subscriptionId);
    if (sub === null || sub.status === 'terminated' || applied(sub, payloadOf(job))) return null;
    return { panelId: sub.panelId };
  },

  run: eachAlone(runOne),

  /** The change could not be applied for good: what was paid for it goes back. */
  async onDead(ctx: EngineContext, job: Job, error: PanelkitError): Promise<void> {
    const p = payloadOf(job);
    const now = ctx.clock.now();
    const entry = await ctx.storage.transaction(async (tx) => {
      const sub = await tx.subscriptions.get(p.subscriptionId);
      if (sub === null || p.price.amount === 0) return null;
      const { entry, created } = await tx.ledger.append({
        customerId: sub.customerId,
        kind: 'refund',
        amount: p.price.amount,
        currency: p.price.currency,
        idempotencyKey: `refund:${p.ledgerKey}`,
        subscriptionId: sub.id,
        note: `${p.action} could not be applied`,
        actor: WORKER_ACTOR,
      });
      if (created) await auditSubscription(tx, WORKER_ACTOR, 'subscription.extension_refunded', sub, { error: error.code, amount: p.price.amount });
      return created ? entry : null;
    });
    if (entry !== null) ctx.events.emit('ledger:appended', { entry, at: now });
  },
};

async function runOne(env: HandlerEnv, job: Job): Promise<void> {
  const { ctx } = env;
  const p = payloadOf(job);
  const sub = await ctx.storage.subscriptions.get(p.subscriptionId);
  if (sub === null || sub.status === 'terminated' || applied(sub, p)) return;
  const { client, links, identity, linkChanged } = await applyRemote(env, sub, p, job.id);
  await env.step('panel_called', job);
  const now = ctx.clock.now();
  const updated = await ctx.storage.transaction(async (tx) => {
    const current = await tx.subscriptions.get(sub.id);
    if (current === null || current.status === 'terminated' || applied(current, p)) return null;
    const next = await tx.subscriptions.update(
      current.id,
      {
        status: current.status === 'suspended' ? 'suspended' : 'active',
        expiresAt: new Date(p.newExpiresAt),
        trafficLimitBytes: p.newTrafficLimitBytes,
        activatedAt: p.action === 'extend' || p.action === 'renew' ? current.activatedAt ?? now : now,
        usedBytes: client.usedBytes,
        usageObservedAt: now,
        notices: [],
        remote: identity,
        remoteClientId: client.ref.remoteClientId ?? current.remoteClientId,
        subscriptionUrl: links.subscriptionUrl,
        shareLinks: [...links.shareLinks],
      },
      { expectedRevision: current.revision },
    );
    await auditSubscription(tx, WORKER_ACTOR, `subscription.${p.action === 'renew' ? 'renewed' : 'extended'}`, next, {
      expiresAt: p.newExpiresAt,
      linkChanged,
    });
    return next;
  });
  await env.step('storage_written', job);
  if (updated !== null) {
    ctx.events.emit('subscription:extended', { subscription: updated, actor: WORKER_ACTOR, at: now, action: p.action, linkChanged });
  }
}
