import { NotFoundError, PanelNotFoundError } from '../../errors.js';
import type { ClientRef } from '../../ports/panel.js';
import { patchOf, specOf, targetRefOf } from '../desired-state.js';
import { eachAlone } from '../handler.js';
import type { HandlerEnv, JobHandler } from '../handler.js';
import { JOB_TYPES, OrphanPayloadSchema, SubscriptionPayloadSchema, parsePayload } from '../job-types.js';
import { HAS_REMOTE_CLIENT } from '../../domain/subscription-status.js';
import { assertPanelUsable } from './panel-guard.js';

async function subscriptionRef(env: HandlerEnv, subscriptionId: string) {
  const sub = await env.ctx.storage.subscriptions.get(subscriptionId);
  if (sub === null) return null;
  const target = await env.ctx.storage.targets.get(sub.targetId);
  if (target === null) throw new NotFoundError('target', sub.targetId);
  const ref: ClientRef = { target: targetRefOf(target), username: sub.remote.username, remoteClientId: sub.remoteClientId };
  return { sub, ref };
}

/**
 * Makes the panel match the stored subscription: enabled or not, expiry, traffic limit. It reads
 * the subscription when it runs, so however many changes queued it, the latest state wins. A
 * client missing from its panel is created again.
 */
export const pushHandler: JobHandler = {
  type: JOB_TYPES.push,
  async route(ctx, job) {
    const sub = await ctx.storage.subscriptions.get(parsePayload(SubscriptionPayloadSchema, job.payload, job.type).subscriptionId);
    return sub === null || !HAS_REMOTE_CLIENT.has(sub.status) ? null : { panelId: sub.panelId };
  },
  run: eachAlone(async (env, job) => {
    const found = await subscriptionRef(env, parsePayload(SubscriptionPayloadSchema, job.payload, job.type).subscriptionId);
    if (found === null || !HAS_REMOTE_CLIENT.has(found.sub.status)) return;
    const handle = await env.ctx.panels.get(found.sub.panelId);
    assertPanelUsable(handle, 'updateClient');
    const caps = handle.adapter.capabilities;
    try {
      await env.call(handle, `push:${job.id}`, (c) => handle.adapter.updateClient(found.ref, patchOf(found.sub, caps), c), { first: true });
    } catch (error) {
      if (!PanelNotFoundError.is(error)) throw error;
      await env.call(handle, `restore:${job.id}`, (c) => handle.adapter.createClients(found.ref.target, [specOf(found.sub, caps)], c));
    }
    await env.step('panel_called', job);
    await env.step('storage_written', job);
  }),
};

/** Removes a terminated subscription's client; one already gone is success. */
export const removeHandler: JobHandler = {
  type: JOB_TYPES.remove,
  async route(ctx, job) {
    const sub = await ctx.storage.subscriptions.get(parsePayload(SubscriptionPayloadSchema, job.payload, job.type).subscriptionId);
    return sub === null ? null : { panelId: sub.panelId };
  },
  run: eachAlone(async (env, job) => {
    const found = await subscriptionRef(env, parsePayload(SubscriptionPayloadSchema, job.payload, job.type).subscriptionId);
    if (found === null || found.sub.status !== 'terminated') return;
    const handle = await env.ctx.panels.get(found.sub.panelId);
    assertPanelUsable(handle, 'deleteClient');
    await env.call(handle, `remove:${job.id}`, (c) => handle.adapter.deleteClient(found.ref, c), { first: true });
    await env.step('panel_called', job);
    await env.step('storage_written', job);
  }),
};

/** Removes a client the shop does not know (reconciliation repair), unless it became known. */
export const removeOrphanHandler: JobHandler = {
  type: JOB_TYPES.removeOrphan,
  async route(_ctx, job) {
    return { panelId: parsePayload(OrphanPayloadSchema, job.payload, job.type).panelId };
  },
  run: eachAlone(async (env, job) => {
    const p = parsePayload(OrphanPayloadSchema, job.payload, job.type);
    if ((await env.ctx.storage.subscriptions.getByUsername(p.panelId, p.username)) !== null) return;
    const handle = await env.ctx.panels.get(p.panelId);
    assertPanelUsable(handle, 'deleteClient');
    const target = await env.ctx.storage.targets.getByRemoteRef(p.panelId, p.targetRef);
    const ref: ClientRef = {
      target: target === null ? { remoteRef: p.targetRef, protocol: 'unknown', remoteMeta: {} } : targetRefOf(target),
      username: p.username,
    };
    await env.call(handle, `orphan:${job.id}`, (c) => handle.adapter.deleteClient(ref, c), { first: true });
    await env.step('panel_called', job);
  }),
};
