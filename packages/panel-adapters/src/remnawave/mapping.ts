/**
 * Port shapes ↔ Remnawave wire shapes. Units: `trafficLimitBytes` bytes (0 = unlimited), `expireAt` an
 * ISO instant that every user must have (the panel's own "never" is a date in 2099, which its
 * subscription headers report as no expiry), `hwidDeviceLimit` devices (0 = no limit for
 * this user; `null` = the panel's HWID fallback limit, when HWID checks are on).
 * Credentials come from the derived identity, so a retried create makes the same user.
 */
import { PanelUnsupportedError, type PanelErrorContext, type RemoteIdentity } from '@panelkit/sdk';
import type { ClientPatch, ClientRef, ClientSpec, Expiry, RemoteClient, RemoteDevice, TargetRef } from '@panelkit/sdk/adapter';
import type { RemnawaveHwidDevice, RemnawaveUser } from './schemas.js';

type JsonBody = Record<string, unknown>;

/** What Remnawave's dashboard sets for "never": the panel treats any `expireAt` in 2099 as no expiry. */
export const REMNAWAVE_NEVER = '2099-12-31T23:59:59.000Z';
const NEVER_YEAR = 2099;

/** Trojan and Shadowsocks passwords are 8–32 characters on Remnawave; the identity's password is longer. */
const MAX_PASSWORD = 32;

/** The expiry as `expireAt`; Remnawave cannot hold a period until first use. */
export function expireAtOf(expiry: Expiry, context: PanelErrorContext): string {
  if (expiry.type === 'never') return REMNAWAVE_NEVER;
  if (expiry.type === 'at') return expiry.at.toISOString();
  throw new PanelUnsupportedError('Remnawave cannot start a period on first use (capabilities.startOnFirstUse is false)', context);
}

/** The credentials a create sends: the identity's, cut to the panel's lengths. */
export function credentialsOf(identity: RemoteIdentity): JsonBody {
  return {
    vlessUuid: identity.uuid,
    trojanPassword: identity.password.slice(0, MAX_PASSWORD),
    // Remnawave's own passwords are 32 characters of a URL-safe alphabet; the key's base64 fits once cut.
    ssPassword: identity.ssKey.replace(/[^A-Za-z0-9]/g, '').slice(0, MAX_PASSWORD),
    shortUuid: identity.subId,
  };
}

/** `POST /api/users`: the user in one squad (the target), with its limits and state. */
export function createBody(spec: ClientSpec, squadUuid: string, context: PanelErrorContext): JsonBody {
  return {
    username: spec.identity.username,
    ...credentialsOf(spec.identity),
    status: spec.enabled ? 'ACTIVE' : 'DISABLED',
    trafficLimitBytes: spec.trafficLimitBytes ?? 0,
    trafficLimitStrategy: 'NO_RESET',
    expireAt: expireAtOf(spec.expiry, context),
    hwidDeviceLimit: deviceLimitOf(spec.deviceLimit),
    ...(spec.note === undefined ? {} : { description: spec.note }),
    activeInternalSquads: [squadUuid],
  };
}

/**
 * `PATCH /api/users` by username: the fields the patch names. `enabled` is not here: the panel's
 * PATCH only disables an `ACTIVE` user, so the adapter uses the enable/disable actions instead.
 * `null` when the patch names none of these fields.
 */
export function updateBody(username: string, patch: ClientPatch, context: PanelErrorContext): JsonBody | null {
  const body: JsonBody = { username };
  if (patch.expiry !== undefined) body.expireAt = expireAtOf(patch.expiry, context);
  if (patch.trafficLimitBytes !== undefined) body.trafficLimitBytes = patch.trafficLimitBytes ?? 0;
  if (patch.deviceLimit !== undefined) body.hwidDeviceLimit = deviceLimitOf(patch.deviceLimit);
  return Object.keys(body).length > 1 ? body : null;
}

/** Unlimited is 0 (the user bypasses the HWID check), not `null` (which falls back to the panel-wide limit). */
function deviceLimitOf(limit: number | null): number {
  return limit ?? 0;
}

export function expiryOf(user: RemnawaveUser): Expiry {
  const at = new Date(user.expireAt);
  return at.getUTCFullYear() >= NEVER_YEAR ? { type: 'never' } : { type: 'at', at };
}

/** The squad a user is listed under: the first of its squads (users the shop makes have exactly one). */
export function targetOf(user: RemnawaveUser, fallback?: TargetRef): TargetRef {
  const squad = user.activeInternalSquads[0];
  if (squad === undefined) return fallback ?? { remoteRef: '', protocol: 'mixed', remoteMeta: {} };
  if (fallback !== undefined && fallback.remoteRef === squad.uuid) return fallback;
  return { remoteRef: squad.uuid, protocol: 'mixed', remoteMeta: { squadUuid: squad.uuid } };
}

export function toRemoteClient(user: RemnawaveUser, ref?: ClientRef): RemoteClient {
  return {
    ref: { target: targetOf(user, ref?.target), username: user.username, remoteClientId: String(user.id) },
    // LIMITED and EXPIRED are the panel's own job stopping the user; only ACTIVE connects.
    enabled: user.status === 'ACTIVE',
    expiry: expiryOf(user),
    trafficLimitBytes: user.trafficLimitBytes > 0 ? user.trafficLimitBytes : null,
    usedBytes: user.userTraffic.usedTrafficBytes,
    // Remnawave counts one total per user, not upload and download.
    uploadBytes: null,
    downloadBytes: null,
    deviceLimit: user.hwidDeviceLimit === null || user.hwidDeviceLimit === 0 ? null : user.hwidDeviceLimit,
    panelStatus: user.status.toLowerCase(),
    lastOnlineAt: user.userTraffic.onlineAt === null ? null : new Date(user.userTraffic.onlineAt),
  };
}

/** Whether an existing user is the one this identity makes (same VLESS uuid), so a create may adopt it. */
export function isOurs(user: RemnawaveUser, identity: RemoteIdentity): boolean {
  return user.vlessUuid.toLowerCase() === identity.uuid.toLowerCase();
}

/** A device as the port has it: the panel's description and times (`createdAt` registered, `updatedAt` last fetch). */
export function toRemoteDevice(device: RemnawaveHwidDevice): RemoteDevice {
  return {
    hwid: device.hwid,
    platform: device.platform,
    osVersion: device.osVersion,
    model: device.deviceModel,
    userAgent: device.userAgent,
    firstSeenAt: new Date(device.createdAt),
    lastSeenAt: new Date(device.updatedAt),
  };
}
