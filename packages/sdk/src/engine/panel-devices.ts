import { createHash } from 'node:crypto';
import type { Device, ListedDevice } from '../domain/device.js';
import type { JsonObject } from '../domain/common.js';
import type { NewJob } from '../domain/job.js';
import type { Subscription } from '../domain/subscription.js';
import { parseDeviceHeaders } from '../devices/request-headers.js';
import type { ClientRef, RemoteDevice } from '../ports/panel.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { PanelHandle } from './adapters.js';
import type { EngineContext } from './context.js';
import { targetRefOf } from './desired-state.js';
import { JOB_TYPES, jobAttempts } from './job-types.js';

/** The prefix of the id `kit.devices.list` gives a device only the panel holds (it has no registry row). */
const PANEL_DEVICE_ID_PREFIX = 'panel_';

/** A hardware id's digest: fixed length whatever the panel allows (PasarGuard keeps 256 characters), and no raw id in keys. */
function hwidDigest(hwid: string): string {
  return createHash('sha256').update(hwid).digest('hex');
}

/** The id of a device only the panel holds: stable for its hardware id, never a registry id. */
export function panelDeviceId(hwid: string): string {
  return `${PANEL_DEVICE_ID_PREFIX}${hwidDigest(hwid).slice(0, 40)}`;
}

/** Whether `id` names a device only the panel holds (see {@link panelDeviceId}). */
export function isPanelDeviceId(id: string): boolean {
  return id.startsWith(PANEL_DEVICE_ID_PREFIX);
}

/** The subscription's client as its panel's adapter addresses it; `null` when its target is gone. */
export async function clientRefOf(ctx: EngineContext, sub: Subscription): Promise<ClientRef | null> {
  const target = await ctx.storage.targets.get(sub.targetId);
  if (target === null) return null;
  return { target: targetRefOf(target), username: sub.remote.username, remoteClientId: sub.remoteClientId };
}

/** The handle of the subscription's panel when its adapter lists devices, else `null`. */
async function listingHandle(ctx: EngineContext, sub: Subscription): Promise<PanelHandle | null> {
  const handle = await ctx.panels.get(sub.panelId);
  return handle.adapter.capabilities.deviceList === true && handle.adapter.listDevices !== undefined ? handle : null;
}

/**
 * The devices the subscription's panel registered for its client (devices that fetched the panel's own link), or
 * `[]` where its adapter lists none (`capabilities.deviceList`), less those a queued job is making it forget: a
 * device removed in the kit is gone from the kit's count and list at once, before the panel has heard of it. One
 * attempt, no retries: a panel that fails to answer, or whose adapter cannot be had now, counts and shows nothing
 * (logged), so an outage never turns a buyer's apps away nor hides the registry's devices.
 */
export async function readPanelDevices(ctx: EngineContext, sub: Subscription): Promise<RemoteDevice[]> {
  let devices: RemoteDevice[];
  try {
    // Inside the try: a panel whose adapter cannot be had now (removed, misconfigured) counts nothing either.
    const handle = await listingHandle(ctx, sub);
    const ref = handle === null ? null : await clientRefOf(ctx, sub);
    if (handle === null || ref === null) return [];
    devices = await ctx.panels.call(handle, `devices:${sub.id}`, (c) => handle.adapter.listDevices!(ref, c), { retry: false });
  } catch (error) {
    ctx.logger.warn(
      { err: error, subscriptionId: sub.id, panelId: sub.panelId },
      'reading the panel’s devices failed; using the registry’s alone',
    );
    return [];
  }
  return withoutPendingRemovals(ctx, sub, devices);
}

/** Whether a job of this dedupe key is still to run (queued, or running now). */
async function pendingJob(ctx: EngineContext, dedupeKey: string): Promise<boolean> {
  for (const state of ['queued', 'running'] as const) {
    if ((await ctx.storage.jobs.list({ dedupeKey, state }, { limit: 1 })).items.length > 0) return true;
  }
  return false;
}

/** The panel's devices as they will be once the queued removals and resets of the subscription have run. */
async function withoutPendingRemovals(ctx: EngineContext, sub: Subscription, devices: readonly RemoteDevice[]): Promise<RemoteDevice[]> {
  if (devices.length === 0 || (await pendingJob(ctx, resetKey(sub)))) return [];
  const kept: RemoteDevice[] = [];
  for (const device of devices) if (!(await pendingJob(ctx, removalKey(sub, device.hwid)))) kept.push(device);
  return kept;
}

function removalKey(sub: Subscription, hwid: string): string {
  return `${JOB_TYPES.removePanelDevice}:${sub.id}:${hwidDigest(hwid)}`;
}

function resetKey(sub: Subscription): string {
  return `${JOB_TYPES.resetPanelDevices}:${sub.id}`;
}

/** A device the panel reports, described as the registry describes one (platform spelled once, app from the User-Agent). */
function describedByPanel(sub: Subscription, device: RemoteDevice, now: Date): ListedDevice {
  const described = parseDeviceHeaders({
    'x-hwid': device.hwid,
    'x-device-os': device.platform ?? undefined,
    'x-ver-os': device.osVersion ?? undefined,
    'x-device-model': device.model ?? undefined,
    'user-agent': device.userAgent ?? undefined,
  });
  const firstSeenAt = device.firstSeenAt ?? device.lastSeenAt ?? now;
  return {
    hwid: device.hwid,
    platform: described.platform ?? null,
    osVersion: described.osVersion ?? null,
    model: described.model ?? null,
    app: described.app ?? null,
    appVersion: described.appVersion ?? null,
    userAgent: described.userAgent ?? null,
    id: panelDeviceId(device.hwid),
    subscriptionId: sub.id,
    firstSeenAt,
    lastSeenAt: device.lastSeenAt ?? firstSeenAt,
    source: 'panel',
  };
}

/**
 * The registry's devices and the panel's, each hardware id once, first seen first. A device in both keeps its
 * registry id and description, with the earlier first sighting and the later last one of the two.
 */
export function mergeDevices(sub: Subscription, registered: readonly Device[], panel: readonly RemoteDevice[], now: Date): ListedDevice[] {
  const onPanel = new Map(panel.map((device) => [device.hwid, device]));
  const merged: ListedDevice[] = registered.map((device) => {
    const remote = onPanel.get(device.hwid);
    if (remote === undefined) return { ...device, source: 'registry' };
    onPanel.delete(device.hwid);
    const first = remote.firstSeenAt !== null && remote.firstSeenAt < device.firstSeenAt ? remote.firstSeenAt : device.firstSeenAt;
    const last = remote.lastSeenAt !== null && remote.lastSeenAt > device.lastSeenAt ? remote.lastSeenAt : device.lastSeenAt;
    return { ...device, firstSeenAt: first, lastSeenAt: last, source: 'both' };
  });
  for (const device of onPanel.values()) merged.push(describedByPanel(sub, device, now));
  return merged.sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Whether removals on the subscription must reach its panel: its adapter can remove devices
 * (`capabilities.deviceRemoval`), or cannot be had now and so might (the job finds out when it runs).
 */
export async function panelMayHoldDevices(ctx: EngineContext, sub: Subscription): Promise<boolean> {
  try {
    const { adapter } = await ctx.panels.get(sub.panelId);
    return adapter.capabilities.deviceRemoval === true;
  } catch {
    return true;
  }
}

function deviceJob(type: string, dedupeKey: string, payload: JsonObject, ctx: EngineContext): NewJob {
  return { type, payload, dedupeKey, serialKey: null, maxAttempts: jobAttempts(ctx.policy) };
}

/** Queues, in `tx`, the job that makes the subscription's panel forget the device `hwid` (deduplicated per device). */
export async function queuePanelDeviceRemoval(ctx: EngineContext, tx: StorageRepositories, sub: Subscription, hwid: string): Promise<void> {
  await tx.jobs.enqueue(deviceJob(JOB_TYPES.removePanelDevice, removalKey(sub, hwid), { subscriptionId: sub.id, hwid }, ctx));
}

/** Queues, in `tx`, the job that makes the subscription's panel forget every device of its client. */
export async function queuePanelDeviceReset(ctx: EngineContext, tx: StorageRepositories, sub: Subscription): Promise<void> {
  await tx.jobs.enqueue(deviceJob(JOB_TYPES.resetPanelDevices, resetKey(sub), { subscriptionId: sub.id }, ctx));
}
