/**
 * Port shapes ↔ Marzneshin wire shapes. Expiry is a strategy: `never`, `fixed_date` + `expire_date`
 * (naive UTC), `start_on_first_use` + `usage_duration` seconds. `data_limit` 0/null = unlimited.
 * Marzneshin has no status field; one is derived as its dashboard does.
 */
import { createHash } from 'node:crypto';
import type { RemoteIdentity } from '@panelkit/sdk';
import type { ClientPatch, ClientRef, ClientSpec, Expiry, RemoteClient, TargetRef } from '@panelkit/sdk/adapter';
import { formatPanelDate, parsePanelDate } from '../marzban-family/time.js';
import type { MarzneshinUser } from './schemas.js';

type JsonBody = Record<string, unknown>;

/** How many derived keys a create tries before giving up (see {@link keyOf}). */
export const KEY_VARIANTS = 8;

/**
 * The subscription key (which Marzneshin also derives the proxy credentials from), derived from the
 * identity so a retried create makes the same user and an adopted one can be recognised. Variant 0
 * is the uuid as 32 hex digits. Marzneshin's delete is soft and the removed row keeps its key
 * (`users.key` is unique), so re-creating a deleted client needs another key: variant n > 0 is a
 * hash of the uuid and n.
 */
export function keyOf(identity: RemoteIdentity, variant = 0): string {
  const base = identity.uuid.replaceAll('-', '').toLowerCase();
  if (variant === 0) return base;
  return createHash('sha256').update(`${base}:${variant}`).digest('hex').slice(0, 32);
}

/** Whether a user's key is one this identity derives. */
export function isOurKey(key: string, identity: RemoteIdentity): boolean {
  for (let variant = 0; variant < KEY_VARIANTS; variant++) if (keyOf(identity, variant) === key) return true;
  return false;
}

export function expiryFields(expiry: Expiry): JsonBody {
  if (expiry.type === 'never') return { expire_strategy: 'never' };
  if (expiry.type === 'at') return { expire_strategy: 'fixed_date', expire_date: formatPanelDate(expiry.at) };
  return { expire_strategy: 'start_on_first_use', usage_duration: Math.max(1, Math.round(expiry.durationMs / 1000)) };
}

export function createBody(spec: ClientSpec, serviceId: number, keyVariant = 0): JsonBody {
  return {
    username: spec.identity.username,
    key: keyOf(spec.identity, keyVariant),
    ...expiryFields(spec.expiry),
    data_limit: spec.trafficLimitBytes ?? 0,
    data_limit_reset_strategy: 'no_reset',
    service_ids: [serviceId],
    ...(spec.note === undefined ? {} : { note: spec.note.slice(0, 500) }),
  };
}

/** `PUT` body: `username` is required by `UserModify` although it cannot change. `null` = nothing to send. */
export function modifyBody(username: string, patch: ClientPatch): JsonBody | null {
  const body: JsonBody = { username };
  if (patch.expiry !== undefined) Object.assign(body, expiryFields(patch.expiry));
  if (patch.trafficLimitBytes !== undefined) body.data_limit = patch.trafficLimitBytes ?? 0;
  return Object.keys(body).length > 1 ? body : null;
}

export function expiryOf(user: MarzneshinUser): Expiry {
  if (user.expire_strategy === 'start_on_first_use' && user.usage_duration)
    return { type: 'after_first_use', durationMs: user.usage_duration * 1000 };
  const at = user.expire_strategy === 'fixed_date' && user.expire_date ? parsePanelDate(user.expire_date) : null;
  return at ? { type: 'at', at } : { type: 'never' };
}

/** The dashboard's status: disabled, expired, limited, on_hold (start on first use) or active. */
export function statusOf(user: MarzneshinUser): string {
  if (!user.enabled) return 'disabled';
  if (user.expired) return 'expired';
  if (user.data_limit_reached) return 'limited';
  if (user.expire_strategy === 'start_on_first_use') return 'on_hold';
  return 'active';
}

export function targetOfService(serviceId: number): TargetRef {
  return { remoteRef: String(serviceId), protocol: 'mixed', remoteMeta: { serviceId } };
}

export function toRemoteClient(user: MarzneshinUser, ref?: ClientRef): RemoteClient {
  const firstService = user.service_ids[0];
  const target =
    ref?.target ?? (firstService === undefined ? { remoteRef: '', protocol: 'mixed', remoteMeta: {} } : targetOfService(firstService));
  const status = statusOf(user);
  return {
    ref: { target, username: user.username, remoteClientId: String(user.id) },
    // Whether it may connect now: an expired or depleted user stays \`enabled\` but is not served.
    enabled: status === 'active' || status === 'on_hold',
    expiry: expiryOf(user),
    trafficLimitBytes: user.data_limit ? Math.trunc(user.data_limit) : null,
    usedBytes: Math.trunc(user.used_traffic),
    uploadBytes: null,
    downloadBytes: null,
    deviceLimit: null,
    panelStatus: status,
    lastOnlineAt: user.online_at ? parsePanelDate(user.online_at) : null,
  };
}
