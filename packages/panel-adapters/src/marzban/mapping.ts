/**
 * Conversions between the port's shapes and Marzban's wire shapes. Units change here and nowhere
 * else: `expire` is unix seconds (0 or null = never), `data_limit` bytes (0 or null = unlimited),
 * `on_hold_expire_duration` seconds, datetimes naive UTC.
 */
import type { RemoteIdentity } from '@panelkit/sdk';
import type { ClientPatch, ClientRef, ClientSpec, Expiry, RemoteClient } from '@panelkit/sdk/adapter';
import { parsePanelDate } from '../marzban-family/time.js';
import type { MarzbanProxySettings, MarzbanUser } from './schemas.js';
import { type MarzbanTargetMeta, orderedProtocols, targetOfUser } from './target-meta.js';

type JsonBody = Record<string, unknown>;

/** Marzban keeps notes up to 500 characters and rejects longer ones. */
const MAX_NOTE = 500;

/** One credential per protocol, all taken from the derived identity so a retried create is the same user. */
export function proxiesFor(meta: MarzbanTargetMeta, identity: RemoteIdentity): Record<string, MarzbanProxySettings> {
  const proxies: Record<string, MarzbanProxySettings> = {};
  for (const protocol of orderedProtocols(meta.inbounds)) {
    if (protocol === 'vless') proxies.vless = { id: identity.uuid, flow: meta.vlessFlow ?? '' };
    else if (protocol === 'vmess') proxies.vmess = { id: identity.uuid };
    else if (protocol === 'trojan') proxies.trojan = { password: identity.password };
    else proxies.shadowsocks = { password: identity.password, method: meta.shadowsocksMethod ?? 'chacha20-ietf-poly1305' };
  }
  return proxies;
}

/** Whether an existing user carries this identity's credentials (so adopting it is safe). */
export function isOurs(user: MarzbanUser, identity: RemoteIdentity): boolean {
  const entries = Object.entries(user.proxies);
  if (entries.length === 0) return false;
  return entries.every(([protocol, settings]) =>
    protocol === 'vless' || protocol === 'vmess' ? settings.id === identity.uuid : settings.password === identity.password,
  );
}

function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

/** The `expire` field for an absolute expiry: whole seconds, never 0 (which means "never"). */
function expireSeconds(at: Date): number {
  return Math.max(1, Math.floor(at.getTime() / 1000));
}

/** `POST /api/user` body. `proxies` and `inbounds` are always sent (0.8 mishandles their absence). */
export function createBody(spec: ClientSpec, meta: MarzbanTargetMeta): JsonBody {
  const body: JsonBody = {
    username: spec.identity.username,
    proxies: proxiesFor(meta, spec.identity),
    inbounds: meta.inbounds,
    data_limit: spec.trafficLimitBytes ?? 0,
    data_limit_reset_strategy: 'no_reset',
  };
  if (spec.note !== undefined) body.note = spec.note.slice(0, MAX_NOTE);
  if (spec.expiry.type === 'after_first_use') {
    body.status = 'on_hold';
    body.expire = 0;
    body.on_hold_expire_duration = seconds(spec.expiry.durationMs);
  } else {
    body.status = 'active';
    body.expire = spec.expiry.type === 'at' ? expireSeconds(spec.expiry.at) : 0;
  }
  return body;
}

/** The expiry a user has, read from its status, `expire` and on-hold duration. */
export function expiryOf(user: MarzbanUser): Expiry {
  const duration = user.on_hold_expire_duration ?? 0;
  if (!user.expire && duration > 0 && (user.status === 'on_hold' || user.status === 'disabled')) {
    return { type: 'after_first_use', durationMs: duration * 1000 };
  }
  if (!user.expire) return { type: 'never' };
  return { type: 'at', at: new Date(user.expire * 1000) };
}

export function toRemoteClient(user: MarzbanUser, ref?: ClientRef): RemoteClient {
  return {
    ref: { target: ref?.target ?? targetOfUser(user.inbounds), username: user.username, remoteClientId: user.username },
    // Whether it may connect now: the review job makes depleted and expired users `limited`/`expired`.
    enabled: user.status === 'active' || user.status === 'on_hold',
    expiry: expiryOf(user),
    trafficLimitBytes: user.data_limit ? Math.trunc(user.data_limit) : null,
    usedBytes: Math.trunc(user.used_traffic),
    uploadBytes: null,
    downloadBytes: null,
    deviceLimit: null,
    panelStatus: user.status,
    lastOnlineAt: user.online_at ? parsePanelDate(user.online_at) : null,
  };
}

/**
 * The fields every `PUT` repeats from the current user: its credentials and inbounds (old panels
 * require them, and they must not change), and its `next_plan` (a `PUT` without it deletes it).
 */
export function preservedFields(user: MarzbanUser): JsonBody {
  const proxies: Record<string, MarzbanProxySettings> = {};
  for (const [protocol, settings] of Object.entries(user.proxies)) {
    const kept: MarzbanProxySettings = {};
    for (const [key, value] of Object.entries(settings)) if (value !== null && value !== undefined) (kept as JsonBody)[key] = value;
    proxies[protocol] = kept;
  }
  const body: JsonBody = { proxies, inbounds: user.inbounds };
  if (user.next_plan) body.next_plan = user.next_plan;
  return body;
}

/** `PUT /api/user/{username}` body applying `patch` to `user`, or `null` when nothing changes. */
export function modifyBody(user: MarzbanUser, patch: ClientPatch): JsonBody | null {
  const changes: JsonBody = {};
  const wasEnabled = user.status !== 'disabled';
  const enabled = patch.enabled ?? wasEnabled;
  const expiry = patch.expiry ?? expiryOf(user);

  if (patch.trafficLimitBytes !== undefined) changes.data_limit = patch.trafficLimitBytes ?? 0;
  if (patch.expiry !== undefined) {
    if (expiry.type === 'after_first_use') {
      changes.expire = 0;
      changes.on_hold_expire_duration = seconds(expiry.durationMs);
    } else {
      changes.expire = expiry.type === 'at' ? expireSeconds(expiry.at) : 0;
    }
  }

  if (!enabled) {
    if (wasEnabled) changes.status = 'disabled';
  } else if (expiry.type === 'after_first_use') {
    // on_hold must come with its duration in the same request (UserModify.validate_status).
    if (!wasEnabled || patch.expiry !== undefined) {
      changes.status = 'on_hold';
      changes.expire = 0;
      changes.on_hold_expire_duration = seconds(expiry.durationMs);
    }
  } else if (!wasEnabled || user.status === 'on_hold') {
    changes.status = 'active';
  }

  if (Object.keys(changes).length === 0) return null;
  return { ...preservedFields(user), ...changes };
}
