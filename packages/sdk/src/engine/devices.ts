import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { ActorInput } from '../domain/common.js';
import { DeviceInfoSchema, deviceInfoAsIs } from '../domain/device.js';
import type { Device, DeviceInfo, DeviceInfoInput, ListedDevice } from '../domain/device.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { DeviceTouchRequest, DeviceTouchResult } from '../ports/storage-devices.js';
import { decideDeviceAccess } from '../rules/devices.js';
import { guardHoldsDevices } from './guard/link.js';
import type { DeviceRefusal, DeviceTerms } from '../rules/devices.js';
import { auditSubscription } from './context.js';
import { claimTrialDevice } from './trial-devices.js';
import type { EngineContext } from './context.js';
import {
  isPanelDeviceId,
  mergeDevices,
  panelMayHoldDevices,
  queuePanelDeviceRemoval,
  queuePanelDeviceReset,
  readPanelDevices,
} from './panel-devices.js';

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

/**
 * Checks what an app said about its device (`ValidationError` otherwise), as `kit.devices.touch` does: by hand when
 * it is already in its parsed form (every link refresh), zod otherwise.
 */
export function parseDeviceRequest(request: DeviceRequest): DeviceRequest & Omit<DeviceInfo, 'hwid'> {
  return deviceInfoAsIs(request, true) ?? parseInput(DeviceRequestSchema, request, 'device');
}

/** A known device seen after this time and described as stored is refreshed without a write (`policy.deviceSeenEveryMs`). */
export function deviceSeenAfter(ctx: EngineContext): Date {
  return new Date(ctx.clock.now().getTime() - ctx.policy.deviceSeenEveryMs);
}
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

/** What `kit.devices.touch` may be given besides the request. */
export interface DeviceTouchOptions {
  /**
   * The subscription as the caller has just read it (a link reads every subscription of the buyer before it
   * checks the device): it is not read again. Its `id` must be the `subscriptionId` given (`ValidationError`).
   */
  subscription?: Subscription;
}

/** The subscription `touch` decides for: the one the caller read, or read now. */
function touchedSubscription(ctx: EngineContext, subscriptionId: string, given: Subscription | undefined): Promise<Subscription> {
  if (given === undefined) return subscriptionOf(ctx, subscriptionId);
  if (given.id !== subscriptionId)
    throw new ValidationError(`the subscription given (${given.id}) is not the one touched (${subscriptionId})`, [
      { path: 'subscription.id', message: 'must be the subscription id touched' },
    ]);
  return Promise.resolve(given);
}

/**
 * A request from a device on the subscription's link: registers a new device while the subscription has room,
 * refreshes a known one, serves an app without an id uncounted or refuses it (the subscription's `noHwidPolicy`; always
 * refused while the sharing guard holds the subscription at `limit` or `suspend`, see `guardHoldsDevices`),
 * and refuses a new device past the limit (`limit_reached`). Registration is exact across replicas (see
 * `DeviceRepository.touch`), and written in one transaction with the audit event `device.registered` (see
 * `registerDevice`). Emits `device:registered` for a new device and `device:refused` for every refusal
 * (an app refreshes its link often: a host that notifies on it keeps one notice per device and day, say). Does not
 * look at the subscription's status: the caller decides what an expired subscription is served.
 *
 * A registered device's refresh is one statement (`devices.refresh` with `seenAfter`), which writes only when its
 * `lastSeenAt` is `policy.deviceSeenEveryMs` old or its description changed: a refresh storm rewrites each device at
 * most once per interval; who is registered, and so the limit, is the registry's on every request. `options.subscription` saves reading the subscription the caller holds.
 */
export async function touchDevice(
  ctx: EngineContext,
  subscriptionId: string,
  request: DeviceRequest,
  options: DeviceTouchOptions = {},
): Promise<DeviceCheck> {
  const info = parseDeviceRequest(request);
  const sub = await touchedSubscription(ctx, subscriptionId, options.subscription);
  const terms = await deviceTermsOf(ctx, sub);
  if (info.hwid === null) {
    const decision = decideDeviceAccess({ terms, hwid: null, registered: [] });
    if (decision.verdict === 'serve_uncounted' && !(await guardHoldsDevices(ctx, sub.id)))
      return { served: true, outcome: 'uncounted', device: null };
    const count = (await ctx.storage.devices.list(sub.id)).length;
    ctx.events.emit('device:refused', { subscription: sub, reason: 'hwid_required', device: info, at: ctx.clock.now() });
    return { served: false, reason: 'hwid_required', limit: terms.deviceLimit, count };
  }
  const device: DeviceInfo = { ...info, hwid: info.hwid };
  // A known device: read and, when due, written in one statement (`lastSeenAt` lags by less than the interval).
  const refreshed = await ctx.storage.devices.refresh({ subscriptionId: sub.id, device, seenAfter: deviceSeenAfter(ctx) });
  if (refreshed !== null) return { served: true, outcome: 'refreshed', device: refreshed };
  // Not registered (or removed meanwhile): a registration, counted and audited like any.
  const panelHwids = await panelHwidsFor(ctx, sub, terms);
  const result = await registerDevice(ctx, sub, { subscriptionId: sub.id, device, terms, panelHwids });
  if (result.outcome === 'refused') {
    ctx.events.emit('device:refused', { subscription: sub, reason: result.reason, device: info, at: ctx.clock.now() });
    return { served: false, reason: result.reason, limit: terms.deviceLimit, count: result.count };
  }
  if (result.outcome === 'registered')
    ctx.events.emit('device:registered', { subscription: sub, device: result.device, at: ctx.clock.now() });
  return { served: true, outcome: result.outcome, device: result.device };
}

/**
 * Registers a device the registry did not know (or refreshes it, registered meanwhile by another request) in one
 * transaction with the audit event `device.registered`: the buyer's, naming the device by its id and what its app
 * said (never its hardware id). A host's audit outbox (`withAuditOutbox`) enqueues its notice in that transaction,
 * so a registration is never without it. Only a registration pays for the transaction: a refresh never comes here
 * unless its device was removed meanwhile.
 */
function registerDevice(
  ctx: EngineContext,
  sub: Subscription,
  request: DeviceTouchRequest,
): Promise<DeviceTouchResult | { outcome: 'refused'; reason: 'trial_already_used'; count: number }> {
  return ctx.storage.transaction(async (tx) => {
    if (sub.trial) {
      const refused = await claimTrialDevice(tx, sub, request.device.hwid);
      if (refused) return { outcome: 'refused', reason: 'trial_already_used', count: (await tx.devices.list(sub.id)).length };
    }
    const result = await tx.devices.touch(request);
    if (result.outcome === 'registered')
      await auditSubscription(tx, { type: 'customer', id: sub.customerId }, 'device.registered', sub, {
        deviceId: result.device.id,
        model: result.device.model,
        platform: result.device.platform,
        app: result.device.app,
      });
    return result;
  });
}

/**
 * The hardware ids the subscription's panel registered for its client, asked for a device the registry does not
 * know yet, when they can change the answer: the subscription has a limit and the panel's adapter lists devices
 * (`capabilities.deviceList`). A panel that fails to answer counts nothing (see `readPanelDevices`).
 */
async function panelHwidsFor(ctx: EngineContext, sub: Subscription, terms: DeviceTerms): Promise<string[]> {
  if (terms.deviceLimit === null) return [];
  return (await readPanelDevices(ctx, sub)).map((d) => d.hwid);
}

/**
 * The subscription's devices, first seen first: the registry's, and those its panel registered on its own link
 * where the adapter lists them (`capabilities.deviceList`), each hardware id once, with where each is known
 * (`source`). A panel that fails to answer shows nothing (logged): the registry's devices are listed alone.
 * `NotFoundError` for an unknown subscription.
 */
export async function listDevices(ctx: EngineContext, subscriptionId: string): Promise<ListedDevice[]> {
  const sub = await subscriptionOf(ctx, subscriptionId);
  const [registered, panel] = await Promise.all([ctx.storage.devices.list(sub.id), readPanelDevices(ctx, sub)]);
  return mergeDevices(sub, registered, panel, ctx.clock.now());
}

/** The device `id` names: a registry row, or (a `panel_…` id) one only the panel lists now; `null` when neither. */
async function deviceNamed(ctx: EngineContext, sub: Subscription, id: string): Promise<ListedDevice | null> {
  if (!isPanelDeviceId(id)) {
    const device = (await ctx.storage.devices.list(sub.id)).find((d) => d.id === id);
    return device === undefined ? null : { ...device, source: 'registry' };
  }
  const listed = mergeDevices(sub, [], await readPanelDevices(ctx, sub), ctx.clock.now());
  return listed.find((d) => d.id === id) ?? null;
}

/**
 * Removes one device of the subscription (its slot frees at once): a registry device, or one only the panel lists
 * (its `panel_…` id from `list`). Where the panel can forget devices (`capabilities.deviceRemoval`), the removal
 * queues a job that makes it forget the hardware id too, so the panel no longer counts it either. One transaction:
 * the registry row (any with that hardware id), the audit event `device.removed` naming the actor, and the job.
 * Emits `device:removed`. `NotFoundError` when the subscription has no such device.
 */
export async function removeDevice(ctx: EngineContext, subscriptionId: string, deviceId: string, actor: ActorInput): Promise<ListedDevice> {
  const who = parseInput(ActorSchema, actor, 'actor');
  const id = parseInput(IdSchema, deviceId, 'device id');
  const sub = await subscriptionOf(ctx, subscriptionId);
  const named = await deviceNamed(ctx, sub, id);
  if (named === null) throw new NotFoundError('device', id);
  const reachPanel = await panelMayHoldDevices(ctx, sub);
  const removed = await ctx.storage.transaction(async (tx) => {
    const row = (await tx.devices.list(sub.id)).find((d) => d.hwid === named.hwid);
    const deleted = row === undefined ? null : await tx.devices.remove(sub.id, row.id);
    // A registry device removed meanwhile by another request: nothing of it is left to remove.
    if (deleted === null && named.source === 'registry') throw new NotFoundError('device', id);
    const gone: ListedDevice = deleted === null ? named : { ...deleted, source: named.source === 'registry' ? 'registry' : 'both' };
    await auditSubscription(tx, who, 'device.removed', sub, {
      deviceId: gone.id,
      hwid: gone.hwid,
      platform: gone.platform,
      app: gone.app,
      source: gone.source,
    });
    if (reachPanel) await queuePanelDeviceRemoval(ctx, tx, sub, gone.hwid);
    return gone;
  });
  ctx.events.emit('device:removed', { subscription: sub, devices: [removed], actor: who, reason: null, at: ctx.clock.now() });
  return removed;
}

/**
 * Removes every device of the subscription (staff freeing its slots): the registry's, and, where the panel can
 * forget devices (`capabilities.deviceRemoval`), the panel's through a queued job. One transaction: the rows, the
 * audit event `device.reset` with the actor, the reason and how many were removed, and the job. Emits
 * `device:removed` when any were. Returns them (those only the panel listed included).
 */
export async function resetDevices(ctx: EngineContext, subscriptionId: string, actor: ActorInput, reason: string): Promise<ListedDevice[]> {
  const parsed = parseInput(ResetSchema, { actor, reason }, 'device reset');
  const sub = await subscriptionOf(ctx, subscriptionId);
  const reachPanel = await panelMayHoldDevices(ctx, sub);
  // What the panel holds now is removed by the job: listed with the registry's rows the reset removes.
  const onPanel = reachPanel ? await readPanelDevices(ctx, sub) : [];
  const removed = await ctx.storage.transaction(async (tx) => {
    const rows = await tx.devices.removeAll(sub.id);
    const devices = mergeDevices(sub, rows, onPanel, ctx.clock.now());
    await auditSubscription(tx, parsed.actor, 'device.reset', sub, { reason: parsed.reason, removed: devices.length });
    if (reachPanel) await queuePanelDeviceReset(ctx, tx, sub);
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
