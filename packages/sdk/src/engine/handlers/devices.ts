import type { Job } from '../../domain/job.js';
import type { Subscription } from '../../domain/subscription.js';
import type { ClientRef, PanelAdapter } from '../../ports/panel.js';
import type { PanelHandle } from '../adapters.js';
import type { EngineContext } from '../context.js';
import { eachAlone } from '../handler.js';
import type { HandlerEnv, JobHandler } from '../handler.js';
import { JOB_TYPES, PanelDevicePayloadSchema, SubscriptionPayloadSchema, parsePayload } from '../job-types.js';
import { clientRefOf } from '../panel-devices.js';
import { assertPanelUsable } from './panel-guard.js';

type Removal = Required<Pick<PanelAdapter, 'removeDevice' | 'resetDevices'>>;

async function routeOf(ctx: EngineContext, subscriptionId: string) {
  const sub = await ctx.storage.subscriptions.get(subscriptionId);
  return sub === null ? null : { panelId: sub.panelId };
}

/**
 * The subscription's panel and client when the panel can forget devices, else `null` (nothing to do: the
 * subscription or its target is gone, or its adapter has no `capabilities.deviceRemoval`). The subscription's
 * current panel is the one asked: a client moved to another panel left its devices behind with the old client.
 */
async function removalTarget(
  env: HandlerEnv,
  subscriptionId: string,
  operation: string,
): Promise<{ sub: Subscription; handle: PanelHandle; adapter: Removal; ref: ClientRef } | null> {
  const sub = await env.ctx.storage.subscriptions.get(subscriptionId);
  if (sub === null) return null;
  const handle = await env.ctx.panels.get(sub.panelId);
  const { adapter } = handle;
  if (adapter.capabilities.deviceRemoval !== true || adapter.removeDevice === undefined || adapter.resetDevices === undefined) return null;
  const ref = await clientRefOf(env.ctx, sub);
  if (ref === null) return null;
  assertPanelUsable(handle, operation);
  return { sub, handle, adapter: adapter as PanelAdapter & Removal, ref };
}

async function done(env: HandlerEnv, job: Job): Promise<void> {
  await env.step('panel_called', job);
  await env.step('storage_written', job);
}

/**
 * Makes the subscription's panel forget one device (queued by `kit.devices.remove` in the removal's transaction).
 * Idempotent: the adapter treats a device the panel does not hold as success.
 */
export const removePanelDeviceHandler: JobHandler = {
  type: JOB_TYPES.removePanelDevice,
  route: (ctx, job) => routeOf(ctx, parsePayload(PanelDevicePayloadSchema, job.payload, job.type).subscriptionId),
  run: eachAlone(async (env, job) => {
    const { subscriptionId, hwid } = parsePayload(PanelDevicePayloadSchema, job.payload, job.type);
    const found = await removalTarget(env, subscriptionId, 'removeDevice');
    if (found === null) return;
    const { handle, adapter, ref } = found;
    await env.call(handle, `device-remove:${job.id}`, (c) => adapter.removeDevice(ref, hwid, c), { first: true });
    await done(env, job);
  }),
};

/** Makes the subscription's panel forget every device of its client (queued by `kit.devices.reset`); idempotent. */
export const resetPanelDevicesHandler: JobHandler = {
  type: JOB_TYPES.resetPanelDevices,
  route: (ctx, job) => routeOf(ctx, parsePayload(SubscriptionPayloadSchema, job.payload, job.type).subscriptionId),
  run: eachAlone(async (env, job) => {
    const { subscriptionId } = parsePayload(SubscriptionPayloadSchema, job.payload, job.type);
    const found = await removalTarget(env, subscriptionId, 'resetDevices');
    if (found === null) return;
    const { handle, adapter, ref } = found;
    await env.call(handle, `device-reset:${job.id}`, (c) => adapter.resetDevices(ref, c), { first: true });
    await done(env, job);
  }),
};

/**
 * Sets the subscription's device limit on its panel to the one stored now (queued by a device pack bought or
 * refunded, where the adapter declares `capabilities.deviceLimit`). Idempotent: it writes what is stored when it
 * runs, so a retry or a later push converge. Nothing to do for a subscription gone or terminated, or a panel that
 * enforces no limit of its own.
 */
export const pushDeviceLimitHandler: JobHandler = {
  type: JOB_TYPES.pushDeviceLimit,
  route: (ctx, job) => routeOf(ctx, parsePayload(SubscriptionPayloadSchema, job.payload, job.type).subscriptionId),
  run: eachAlone(async (env, job) => {
    const { subscriptionId } = parsePayload(SubscriptionPayloadSchema, job.payload, job.type);
    const sub = await env.ctx.storage.subscriptions.get(subscriptionId);
    if (sub === null || sub.status === 'terminated') return;
    const handle = await env.ctx.panels.get(sub.panelId);
    if (!handle.adapter.capabilities.deviceLimit) return;
    const ref = await clientRefOf(env.ctx, sub);
    if (ref === null) return;
    assertPanelUsable(handle, 'updateClient');
    const patch = { deviceLimit: sub.deviceLimit };
    await env.call(handle, `device-limit:${job.id}`, (c) => handle.adapter.updateClient(ref, patch, c), { first: true });
    await done(env, job);
  }),
};
