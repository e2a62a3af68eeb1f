/**
 * Conversions between the port's shapes and PasarGuard's wire shapes. Units change here and nowhere
 * else: `expire` is a tz-aware datetime (`null` = never on create, `0` = "make it never" on modify),
 * `data_limit` bytes (0 = unlimited), `on_hold_expire_duration` seconds, `hwid_limit` devices (0 =
 * the user is exempt from device limits).
 */
import type { RemoteIdentity } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import type { ClientPatch, ClientRef, ClientSpec, Expiry, RemoteClient, TargetRef } from '@panelkit/sdk/adapter';
import { formatPanelDate, parsePanelDate } from '../marzban-family/time.js';
import type { PasarGuardProxySettings, PasarGuardUser } from './schemas.js';
import { holdsKey, peerOf } from './wireguard.js';

type JsonBody = Record<string, unknown>;

/** PasarGuard keeps notes up to 500 characters and rejects longer ones. */
const MAX_NOTE = 500;

/** The credentials of every protocol, from the derived identity, so a retried create is the same user. */
export function proxySettingsFor(identity: RemoteIdentity): PasarGuardProxySettings {
  return {
    vmess: { id: identity.uuid },
    vless: { id: identity.uuid },
    trojan: { password: identity.password },
    shadowsocks: { password: identity.password, method: 'chacha20-ietf-poly1305' },
  };
}

/** Whether an existing user carries this identity's credentials (so adopting it is safe): a WireGuard client its public key too. */
export function isOurs(user: PasarGuardUser, identity: RemoteIdentity, kind: EntitlementKind = 'xray'): boolean {
  return user.proxy_settings.vless?.id === identity.uuid && (kind !== 'wireguard' || holdsKey(user, identity));
}

function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

/** The target a user is on: its first group (a shop puts each user in one). */
export function targetOfUser(user: PasarGuardUser): TargetRef {
  const groupId = [...(user.group_ids ?? [])].sort((a, b) => a - b)[0];
  return {
    remoteRef: groupId === undefined ? '' : String(groupId),
    protocol: 'mixed',
    remoteMeta: groupId === undefined ? {} : { groupId },
  };
}

/**
 * `POST /api/user` body: the user in one group, starting active or on hold (the panel creates nothing else). A
 * WireGuard client carries its derived private key (the panel derives the public key; without one it would make a
 * random pair, which a retry could not recognise); peer IPs are the panel's to give.
 */
export function createBody(spec: ClientSpec, groupId: number): JsonBody {
  const settings: JsonBody = { ...proxySettingsFor(spec.identity) };
  if (spec.kind === 'wireguard' && spec.identity.wireguard) settings.wireguard = { private_key: spec.identity.wireguard.privateKey };
  const body: JsonBody = {
    username: spec.identity.username,
    proxy_settings: settings,
    group_ids: [groupId],
    data_limit: spec.trafficLimitBytes ?? 0,
    data_limit_reset_strategy: 'no_reset',
    hwid_limit: spec.deviceLimit ?? 0,
  };
  if (spec.note !== undefined) body.note = spec.note.slice(0, MAX_NOTE);
  if (spec.expiry.type === 'after_first_use') {
    body.status = 'on_hold';
    body.on_hold_expire_duration = seconds(spec.expiry.durationMs);
  } else {
    body.status = 'active';
    body.expire = spec.expiry.type === 'at' ? formatPanelDate(spec.expiry.at) : null;
  }
  return body;
}

/** The expiry a user has, read from its status, `expire` and on-hold duration. */
export function expiryOf(user: PasarGuardUser): Expiry {
  const duration = user.on_hold_expire_duration ?? 0;
  if (!user.expire && duration > 0 && (user.status === 'on_hold' || user.status === 'disabled')) {
    return { type: 'after_first_use', durationMs: duration * 1000 };
  }
  const at = user.expire ? parsePanelDate(user.expire) : null;
  return at === null ? { type: 'never' } : { type: 'at', at };
}

/** The port's view of a user; a `wireguard` one reports its peer (public key and addresses). */
export function toRemoteClient(user: PasarGuardUser, ref?: ClientRef, kind: EntitlementKind = 'xray'): RemoteClient {
  const peer = kind === 'wireguard' ? peerOf(user) : undefined;
  return {
    ref: { target: ref?.target ?? targetOfUser(user), username: user.username, remoteClientId: String(user.id) },
    // Whether it may connect now: the review job makes depleted and expired users `limited`/`expired`.
    enabled: user.status === 'active' || user.status === 'on_hold',
    expiry: expiryOf(user),
    trafficLimitBytes: user.data_limit ? Math.trunc(user.data_limit) : null,
    usedBytes: Math.trunc(user.used_traffic),
    uploadBytes: null,
    downloadBytes: null,
    deviceLimit: user.hwid_limit ? user.hwid_limit : null,
    panelStatus: user.status,
    lastOnlineAt: user.online_at ? parsePanelDate(user.online_at) : null,
    ...(kind === 'wireguard' ? { kind, ...(peer ? { wireguard: peer } : {}) } : {}),
  };
}

/** What every `PUT` repeats: the user's `next_plan` (a `PUT` without it deletes it, `crud/user.py modify_user`). */
export function preservedFields(user: PasarGuardUser): JsonBody {
  return user.next_plan ? { next_plan: user.next_plan } : {};
}

/**
 * `PUT /api/user/{username}` body applying `patch` to `user`, or `null` when nothing changes. It never carries
 * `proxy_settings`: a PUT with them but without the stored `wireguard` block makes the panel give the user new
 * WireGuard keys (`_prepare_modified_user`), which would cut a buyer's tunnel.
 */
export function modifyBody(user: PasarGuardUser, patch: ClientPatch): JsonBody | null {
  const changes: JsonBody = {};
  const wasEnabled = user.status !== 'disabled';
  const enabled = patch.enabled ?? wasEnabled;
  const expiry = patch.expiry ?? expiryOf(user);

  if (patch.trafficLimitBytes !== undefined) changes.data_limit = patch.trafficLimitBytes ?? 0;
  if (patch.deviceLimit !== undefined) changes.hwid_limit = patch.deviceLimit ?? 0;
  if (patch.expiry !== undefined && expiry.type !== 'after_first_use') {
    changes.expire = expiry.type === 'at' ? formatPanelDate(expiry.at) : 0;
  }

  if (!enabled) {
    if (wasEnabled) changes.status = 'disabled';
    if (patch.expiry?.type === 'after_first_use') {
      changes.expire = 0;
      changes.on_hold_expire_duration = seconds(patch.expiry.durationMs);
    }
  } else if (expiry.type === 'after_first_use') {
    // on_hold must come with its duration and without an expire (UserValidator.validate_status).
    if (!wasEnabled || patch.expiry !== undefined) {
      changes.status = 'on_hold';
      changes.on_hold_expire_duration = seconds(expiry.durationMs);
      delete changes.expire;
    }
  } else if (!wasEnabled || user.status === 'on_hold') {
    changes.status = 'active';
  }

  if (Object.keys(changes).length === 0) return null;
  return { ...preservedFields(user), ...changes };
}
