import { identityAtGeneration } from '../../domain/remote-identity.js';
import type { RemoteIdentity } from '../../domain/remote-identity.js';
import type { Subscription } from '../../domain/subscription.js';
import { NotFoundError, PanelNotFoundError } from '../../errors.js';
import { type ClientRef, type ClientSpec, type Expiry, type RemoteClient, type ClientLinks, capabilitiesFor } from '../../ports/panel.js';
import { targetRefOf } from '../desired-state.js';
import type { HandlerEnv } from '../handler.js';
import type { UpdatePayload } from '../job-types.js';
import { assertPanelUsable } from './panel-guard.js';

/** What the panel holds after an update job's calls, for the job to record. */
export interface RemoteResult {
  client: RemoteClient;
  links: ClientLinks;
  identity: RemoteIdentity;
  linkChanged: boolean;
}

function sameExpiry(expiry: Expiry, at: string): boolean {
  return expiry.type === 'at' && expiry.at.toISOString() === at;
}

/** Whether the job moves the client to another target (a plan change that needs another location). */
export function movesTarget(sub: Pick<Subscription, 'targetId'>, p: UpdatePayload): boolean {
  return p.planChange !== null && p.planChange.toTargetId !== sub.targetId;
}

/**
 * Applies the change on the panel: in place, by removing the client and creating it anew, or (a
 * move) by creating the client on the new target, adopting one a lost response left there. A
 * move never touches the old client: it is removed by a job queued once the new one is recorded.
 */
export async function applyRemote(env: HandlerEnv, sub: Subscription, p: UpdatePayload, jobId: string): Promise<RemoteResult> {
  const { ctx } = env;
  const move = movesTarget(sub, p);
  const handle = await ctx.panels.get(move ? p.planChange!.toPanelId : sub.panelId);
  assertPanelUsable(handle, move ? 'createClients' : 'updateClient');
  const targetId = move ? p.planChange!.toTargetId : sub.targetId;
  const target = await ctx.storage.targets.get(targetId);
  if (target === null) throw new NotFoundError('target', targetId);
  const adapter = handle.adapter;
  const identity = identityAtGeneration(sub.remote, sub.id, p.generation, ctx.policy.identity);
  const ref: ClientRef = { target: targetRefOf(target), username: sub.remote.username, remoteClientId: move ? null : sub.remoteClientId };
  const expiry: Expiry = { type: 'at', at: new Date(p.newExpiresAt) };
  const deviceLimit =
    p.planChange !== null ? p.planChange.deviceLimit : p.newDeviceLimit !== undefined ? p.newDeviceLimit : sub.deviceLimit;
  // A plan change, or a renewal that sets the limit (a device pack's devices falling back or renewed), writes it.
  const setsDevices = p.planChange !== null || p.newDeviceLimit !== undefined;
  // The panel limits this kind's devices (never a WireGuard peer's or a Telegram proxy's: `capabilitiesFor`).
  const limitsDevices = capabilitiesFor(adapter.capabilities, sub.kind)?.deviceLimit === true;
  // A top-up leaves a suspended client off, and one still over its new limit too (the panel would cut it again).
  const overLimit = sub.status === 'limited' && p.newTrafficLimitBytes !== null && (sub.usedBytes ?? 0) >= p.newTrafficLimitBytes;
  const enabled = !(p.action === 'traffic' && (sub.status === 'suspended' || overLimit));
  const spec: ClientSpec = {
    identity,
    expiry,
    trafficLimitBytes: p.newTrafficLimitBytes,
    deviceLimit: limitsDevices ? deviceLimit : null,
    enabled,
    note: sub.id,
    // A WireGuard or Telegram client re-created (a move, new credentials) is made as its kind, as provisioning makes it.
    ...(sub.kind === 'xray' ? {} : { kind: sub.kind }),
  };
  const linkChanged = move || p.generation !== sub.remote.generation;
  const create = async () => (await env.call(handle, `update:${jobId}:create`, (c) => adapter.createClients(ref.target, [spec], c)))[0];
  let client: RemoteClient | undefined;
  if (move) {
    client = (await env.call(handle, `update:${jobId}:get`, (c) => adapter.getClient(ref, c), { first: true })) ?? (await create());
  } else if (p.action === 'traffic') {
    // Only the limit grows: usage and expiry stay as they are on the panel.
    try {
      const patch = { trafficLimitBytes: p.newTrafficLimitBytes, enabled };
      client = await env.call(handle, `update:${jobId}:update`, (c) => adapter.updateClient(ref, patch, c), { first: true });
    } catch (error) {
      if (!PanelNotFoundError.is(error)) throw error;
      client = await create();
    }
  } else if (!linkChanged) {
    try {
      const planDevices = setsDevices && limitsDevices ? { deviceLimit } : {};
      const patch = { expiry, trafficLimitBytes: p.newTrafficLimitBytes, enabled: true, ...planDevices };
      const updated = await env.call(handle, `update:${jobId}:update`, (c) => adapter.updateClient(ref, patch, c), { first: true });
      await env.call(handle, `update:${jobId}:reset`, (c) => adapter.resetUsage(ref, c));
      client = { ...updated, usedBytes: 0, uploadBytes: 0, downloadBytes: 0 };
    } catch (error) {
      if (!PanelNotFoundError.is(error)) throw error;
      client = await create();
    }
  } else {
    // A lost response may have left the new client in place already: then it is adopted as is.
    const existing = await env.call(handle, `update:${jobId}:get`, (c) => adapter.getClient(ref, c), { first: true });
    const done =
      existing !== null &&
      sameExpiry(existing.expiry, p.newExpiresAt) &&
      existing.trafficLimitBytes === p.newTrafficLimitBytes &&
      existing.usedBytes === 0;
    if (done) client = existing;
    else {
      await env.call(handle, `update:${jobId}:delete`, (c) => adapter.deleteClient(ref, c));
      client = await create();
    }
  }
  if (client === undefined) throw new NotFoundError('updated client', sub.remote.username);
  const found = client;
  const links = await env.call(handle, `update:${jobId}:links`, (c) => adapter.links(found.ref, c));
  return { client: found, links, identity, linkChanged };
}
