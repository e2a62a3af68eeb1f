import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { ActorInput } from '../domain/common.js';
import { DeviceInfoSchema } from '../domain/device.js';
import type { Device, DeviceInfo, DeviceInfoInput } from '../domain/device.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
import { decideDeviceAccess } from '../rules/devices.js';
import type { DeviceRefusal, DeviceTerms } from '../rules/devices.js';
import { auditSubscription } from './context.js';
import { targetRefOf } from './desired-state.js';
import type { EngineContext } from './context.js';

/** What an app said about its device, as `kit.devices.touch` takes it: `hwid` is `null` when it sent none. */
export type DeviceRequest = Omit<DeviceInfoInput, 'hwid'> & { hwid: string | null };

/**
 * What `kit.devices.touch` decided for a request. `served: true`: give the app its links; `device` is the device
 * registered or refreshed (`outcome` says which), `null` for an app without an id served uncounted. `served: false`:
 * refuse, with the machine-readable `reason`, the subscription's limit and how many devices it counts.
 */
export type DeviceCheck =
  | { served: true; outcome: 'registered' | 'refreshed'; device: Device }
  | { served: true; outcome: 'uncounted'; device: null }
  | { served: false; reason: DeviceRefusal; limit: number | null; count: number };

const DeviceRequestSchema = DeviceInfoSchema.extend({ hwid: DeviceInfoSchema.shape.hwid.nullable() });
const SubscriptionIdSchema = IdSchema;
const ResetSchema = z.object({ actor: ActorSchema, reason: z.string().trim().min(1).max(500) });

/** The device terms a subscription was sold with: its limit as applied, and the frozen no-id policy (else its plan's). */
export async function deviceTermsOf(ctx: EngineContext, sub: Subscription): Promise<DeviceTerms> {
  if (sub.terms !== null) return { deviceLimit: sub.deviceLimit, noHwidPolicy: sub.terms.noHwidPolicy };
  const plan = await ctx.storage.plans.get(sub.planId);
  return { deviceLimit: sub.deviceLimit, noHwidPolicy: plan?.noHwidPolicy ?? 'serve' };
}

async function subscriptionOf(ctx: EngineContext, subscriptionId: string): Promise<Subscription> {
  const id = parseInput(SubscriptionIdSchema, subscriptionId, 'subscription id');
  const sub = await ctx.storage.subscriptions.get(id);
  if (sub === null) throw new NotFoundError('subscription', id);
  return sub;
}

/**
 * A request from a device on the subscription's link: registers a new device while the subscription has room,
 * refreshes a known one, serves an app without an id uncounted or refuses it (the subscription's `noHwidPolicy`),
 * and refuses a new device past the limit (`limit_reached`). Registration is exact across replicas (see
 * `DeviceRepository.touch`). Emits `device:registered` for a new device and `device:refused` for every refusal
 * (an app refreshes its link often: a host that notifies on it keeps one notice per device and day, say). Does not
 * look at the subscription's status: the caller decides what an expired subscription is served.
 */
export async function touchDevice(ctx: EngineContext, subscriptionId: string, request: DeviceRequest): Promise<DeviceCheck> {
  const info = parseInput(DeviceRequestSchema, request, 'device');
  const sub = await subscriptionOf(ctx, subscriptionId);
  const terms = await deviceTermsOf(ctx, sub);
  if (info.hwid === null) {
    const decision = decideDeviceAccess({ terms, hwid: null, registered: [] });
    if (decision.verdict === 'serve_uncounted') return { served: true, outcome: 'uncounted', device: null };
    const count = (await ctx.storage.devices.list(sub.id)).length;
    ctx.events.emit('device:refused', { subscription: sub, reason: 'hwid_required', device: info, at: ctx.clock.now() });
    return { served: false, reason: 'hwid_required', limit: terms.deviceLimit, count };
  }
  const device: DeviceInfo = { ...info, hwid: info.hwid };
  const panelHwids = await panelHwidsFor(ctx, sub, terms, device.hwid);
  const result = await ctx.storage.devices.touch({ subscriptionId: sub.id, device, terms, panelHwids });
  if (result.outcome === 'refused') {
    ctx.events.emit('device:refused', { subscription: sub, reason: result.reason, device: info, at: ctx.clock.now() });
    return { served: false, reason: result.reason, limit: terms.deviceLimit, count: result.count };
  }
  if (result.outcome === 'registered')
    ctx.events.emit('device:registered', { subscription: sub, device: result.device, at: ctx.clock.now() });
  return { served: true, outcome: result.outcome, device: result.device };
}

/**
 * The hardware ids the subscription's panel registered for its client, when they can change the answer: the
 * subscription has a limit, the device is not registered yet, and the panel's adapter lists devices
 * (`capabilities.deviceList`). A panel that fails to answer counts nothing (logged): the registry alone decides,
 * and a panel outage never turns a buyer's apps away.
 */
async function panelHwidsFor(ctx: EngineContext, sub: Subscription, terms: DeviceTerms, hwid: string): Promise<string[]> {
  if (terms.deviceLimit === null) return [];
  try {
    // Inside the try: a panel whose adapter cannot be had now (removed, misconfigured) counts nothing either.
    const handle = await ctx.panels.get(sub.panelId);
    const { adapter } = handle;
    if (adapter.capabilities.deviceList !== true || adapter.listDevices === undefined) return [];
    if ((await ctx.storage.devices.list(sub.id)).some((d) => d.hwid === hwid)) return [];
    const target = await ctx.storage.targets.get(sub.targetId);
    if (target === null) return [];
    const ref = { target: targetRefOf(target), username: sub.remote.username, remoteClientId: sub.remoteClientId };
    const devices = await ctx.panels.call(handle, `devices:${sub.id}`, (c) => adapter.listDevices!(ref, c), { retry: false });
    return devices.map((d) => d.hwid);
  } catch (error) {
    ctx.logger.warn(
      { err: error, subscriptionId: sub.id, panelId: sub.panelId },
      'reading the panel’s devices failed; counting the registry’s alone',
    );
    return [];
  }
}

/** The subscription's devices, first registered first; `NotFoundError` for an unknown subscription. */
export async function listDevices(ctx: EngineContext, subscriptionId: string): Promise<Device[]> {
  const sub = await subscriptionOf(ctx, subscriptionId);
  return ctx.storage.devices.list(sub.id);
}

/**
 * Removes one device of the subscription (its slot frees at once), with an audit event `device.removed` naming
 * the actor, in one transaction; emits `device:removed`. `NotFoundError` when the subscription has no such device.
 */
export async function removeDevice(ctx: EngineContext, subscriptionId: string, deviceId: string, actor: ActorInput): Promise<Device> {
  const who = parseInput(ActorSchema, actor, 'actor');
  const id = parseInput(IdSchema, deviceId, 'device id');
  const sub = await subscriptionOf(ctx, subscriptionId);
  const removed = await ctx.storage.transaction(async (tx) => {
    const device = await tx.devices.remove(sub.id, id);
    if (device === null) throw new NotFoundError('device', id);
    await auditSubscription(tx, who, 'device.removed', sub, {
      deviceId: device.id,
      hwid: device.hwid,
      platform: device.platform,
      app: device.app,
    });
    return device;
  });
  ctx.events.emit('device:removed', { subscription: sub, devices: [removed], actor: who, reason: null, at: ctx.clock.now() });
  return removed;
}

/**
 * Removes every device of the subscription (staff freeing its slots), audited as `device.reset` with the actor,
 * the reason and how many were removed, in one transaction; emits `device:removed` when any were. Returns them.
 */
export async function resetDevices(ctx: EngineContext, subscriptionId: string, actor: ActorInput, reason: string): Promise<Device[]> {
  const parsed = parseInput(ResetSchema, { actor, reason }, 'device reset');
  const sub = await subscriptionOf(ctx, subscriptionId);
  const removed = await ctx.storage.transaction(async (tx) => {
    const devices = await tx.devices.removeAll(sub.id);
    await auditSubscription(tx, parsed.actor, 'device.reset', sub, { reason: parsed.reason, removed: devices.length });
    return devices;
  });
  if (removed.length > 0)
    ctx.events.emit('device:removed', {
      subscription: sub,
      devices: removed,
      actor: parsed.actor,
      reason: parsed.reason,
      at: ctx.clock.now(),
    });
  return removed;
}
