/**
 * The simulated PasarGuard's HWID devices (v4.0 on: `app/db/crud/hwid.py`, `app/operation/hwid.py`,
 * `SubscriptionOperation.validate_and_register_hwid`): registered when an app fetches `/sub/{token}` with
 * `X-HWID`, listed and deleted through `/api/user/{user_id}/hwids…`.
 */
import { json } from '../harness/index.js';
import type { SimUser } from './state.js';
import { isoZ } from './wire.js';

/** One `user_hwids` row (times in epoch ms of the simulator's clock). */
export interface SimHwid {
  id: number;
  hwid: string;
  deviceOs: string | null;
  osVersion: string | null;
  deviceModel: string | null;
  createdAt: number;
  lastUsedAt: number;
}

/** `HWIDSettings` (the panel's defaults: on, not forced, no fallback limit). */
export interface PasarGuardHwidSettings {
  /** The master switch: whether `/sub` records devices at all. */
  readonly enabled: boolean;
  /** Whether a request without `X-HWID` is refused (403 "HWID header required"). */
  readonly forced: boolean;
  /** The limit of a user whose `hwid_limit` is `null`; `null` is none. */
  readonly fallbackLimit: number | null;
}

/** `HWIDSettings()`. */
export const PASARGUARD_DEFAULT_HWID_SETTINGS: PasarGuardHwidSettings = { enabled: true, forced: false, fallbackLimit: null };

function fastApiJson(body: unknown, status: number): Response {
  return json(body, status, { 'content-type': 'application/json' });
}

/** The headers `SubscriptionHeaders` reads (`X-HWID`, `X-Device-OS`, `X-Ver-OS`, `X-Device-Model`). */
export interface SubscriptionDeviceHeaders {
  hwid: string | null;
  deviceOs: string | null;
  osVersion: string | null;
  deviceModel: string | null;
}

/** `SubscriptionHeaders` from a request; an empty `X-HWID` is as none. */
export function deviceHeadersOf(request: Request): SubscriptionDeviceHeaders {
  return {
    hwid: request.headers.get('x-hwid') || null,
    deviceOs: request.headers.get('x-device-os'),
    osVersion: request.headers.get('x-ver-os'),
    deviceModel: request.headers.get('x-device-model'),
  };
}

/** `register_user_hwid`: a new row, or `last_used_at` of the known one moved (its description stays as first sent). */
function register(user: SimUser, headers: SubscriptionDeviceHeaders & { hwid: string }, now: number, nextId: () => number): void {
  const known = user.hwids.find((row) => row.hwid === headers.hwid);
  if (known) {
    known.lastUsedAt = now;
    return;
  }
  user.hwids.push({
    id: nextId(),
    hwid: headers.hwid,
    deviceOs: headers.deviceOs?.slice(0, 256) || null,
    osVersion: headers.osVersion?.slice(0, 128) || null,
    deviceModel: headers.deviceModel?.slice(0, 256) || null,
    createdAt: now,
    lastUsedAt: now,
  });
}

/**
 * `validate_and_register_hwid` for a client's `/sub/{token}`: nothing when HWID is off or the user's limit is 0;
 * without `X-HWID`, a 403 when forced, else nothing; a known device refreshed; a new one registered under the
 * limit (`hwid_limit`, else the fallback) and refused at it (403 "Device limit reached"). `null` lets the request on.
 */
export function validateAndRegister(
  user: SimUser,
  headers: SubscriptionDeviceHeaders,
  settings: PasarGuardHwidSettings,
  now: number,
  nextId: () => number,
): Response | null {
  if (!settings.enabled || user.hwidLimit === 0) return null;
  if (headers.hwid === null) return settings.forced ? fastApiJson({ detail: 'HWID header required' }, 403) : null;
  const hwid = headers.hwid;
  if (!user.hwids.some((row) => row.hwid === hwid)) {
    const limit = user.hwidLimit ?? settings.fallbackLimit;
    if (limit !== null && limit > 0 && user.hwids.length >= limit) return fastApiJson({ detail: 'Device limit reached' }, 403);
  }
  register(user, { ...headers, hwid }, now, nextId);
  return null;
}

/** `UserHWIDListResponse`: newest first (`created_at desc`). */
export function hwidListBody(user: SimUser): { hwids: Record<string, unknown>[]; count: number } {
  const rows = [...user.hwids].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  return {
    hwids: rows.map((row) => ({
      id: row.id,
      hwid: row.hwid,
      device_os: row.deviceOs,
      os_version: row.osVersion,
      device_model: row.deviceModel,
      created_at: isoZ(row.createdAt),
      last_used_at: isoZ(row.lastUsedAt),
    })),
    count: rows.length,
  };
}
