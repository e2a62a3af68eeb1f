/**
 * The simulated Remnawave's HWID devices, as `remnawave/backend` 3.x keeps them (`hwid_user_devices`, one row per
 * user and hardware id): registered when an app fetches the public subscription with `X-HWID`
 * (`extractHwidHeaders`, `SubscriptionService.checkHwidDeviceLimit`), listed and deleted through
 * `/api/hwid/devices…` (`HwidUserDevicesService`).
 */

/** One `hwid_user_devices` row (times in epoch ms of the simulator's clock). */
export interface RemnawaveSimDevice {
  hwid: string;
  platform: string | null;
  osVersion: string | null;
  deviceModel: string | null;
  userAgent: string | null;
  requestIp: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The subscription settings' `hwidSettings` (the panel's seed: off, fallback limit 999, no announcement). */
export interface RemnawaveHwidSettings {
  /** Whether the public subscription counts devices and refuses a new one past the limit. */
  readonly enabled: boolean;
  /** The limit of a user whose `hwidDeviceLimit` is `null`. */
  readonly fallbackDeviceLimit: number;
  /** `announce` sent to an app refused at the limit; `null` sends none. */
  readonly maxDevicesAnnounce: string | null;
}

/** `DEFAULT_HWID_SETTINGS` of the panel's seed. */
export const REMNAWAVE_DEFAULT_HWID_SETTINGS: RemnawaveHwidSettings = {
  enabled: false,
  fallbackDeviceLimit: 999,
  maxDevicesAnnounce: null,
};

/** What an app said of its device (`HwidHeaders`). */
export interface HwidHeaders {
  hwid: string;
  platform: string | null;
  osVersion: string | null;
  deviceModel: string | null;
  userAgent: string | null;
}

/** `HWID_REGEX`: an `X-HWID` that does not match is as if none was sent. */
const HWID_REGEX = /^[a-zA-Z0-9=-]{10,64}$/;
const MAX_HEADER_LENGTH = 512;

function truncated(request: Request, name: string): string | null {
  return request.headers.get(name)?.slice(0, MAX_HEADER_LENGTH) ?? null;
}

/** `extractHwidHeaders`: the device an app described, or `null` without a valid `X-HWID`. */
export function extractHwidHeaders(request: Request): HwidHeaders | null {
  const hwid = request.headers.get('x-hwid');
  if (!hwid || !HWID_REGEX.test(hwid)) return null;
  return {
    hwid,
    platform: truncated(request, 'x-device-os'),
    osVersion: truncated(request, 'x-ver-os'),
    deviceModel: truncated(request, 'x-device-model'),
    userAgent: truncated(request, 'user-agent'),
  };
}

/** What `checkHwidDeviceLimit` decided: served, or refused for a missing id or a full set of devices. */
export type HwidCheckup = { allowed: true } | { allowed: false; maxDeviceReached: boolean; hwidNotSupported: boolean };

/** Who a device belongs to, as the gate needs it. */
export interface HwidOwner {
  hwidDeviceLimit: number | null;
  hwidDevices: RemnawaveSimDevice[];
}

/** `upsertHwidUserDevice`: a new row, or the known one's description and `updatedAt` refreshed. */
export function upsertDevice(owner: HwidOwner, headers: HwidHeaders, now: number): void {
  const known = owner.hwidDevices.find((device) => device.hwid === headers.hwid);
  const description = {
    platform: headers.platform,
    osVersion: headers.osVersion,
    deviceModel: headers.deviceModel,
    userAgent: headers.userAgent,
    requestIp: '127.0.0.1',
  };
  if (known) Object.assign(known, description, { updatedAt: now });
  else owner.hwidDevices.push({ hwid: headers.hwid, ...description, createdAt: now, updatedAt: now });
}

/**
 * The public subscription's device check. HWID off: a described device is recorded (in the background on the
 * panel), and served. On: a user with limit 0 bypasses it (still recorded); no valid id is refused "not supported";
 * a known device is refreshed; a new one is registered under the limit (`hwidDeviceLimit`, else the fallback)
 * and refused at it.
 */
export function checkHwid(owner: HwidOwner, headers: HwidHeaders | null, settings: RemnawaveHwidSettings, now: number): HwidCheckup {
  if (!settings.enabled || owner.hwidDeviceLimit === 0) {
    if (headers !== null) upsertDevice(owner, headers, now);
    return { allowed: true };
  }
  if (headers === null) return { allowed: false, maxDeviceReached: false, hwidNotSupported: true };
  if (owner.hwidDevices.some((device) => device.hwid === headers.hwid)) {
    upsertDevice(owner, headers, now);
    return { allowed: true };
  }
  const limit = owner.hwidDeviceLimit ?? settings.fallbackDeviceLimit;
  if (owner.hwidDevices.length >= limit) return { allowed: false, maxDeviceReached: true, hwidNotSupported: false };
  upsertDevice(owner, headers, now);
  return { allowed: true };
}

/** `HwidUserDeviceSchema`, newest first as `findByCriteria` orders them (`createdAt desc`). */
export function devicesBody(userId: number, devices: readonly RemnawaveSimDevice[]): { total: number; devices: Record<string, unknown>[] } {
  const rows = [...devices].sort((a, b) => b.createdAt - a.createdAt);
  return {
    total: rows.length,
    devices: rows.map((device) => ({
      hwid: device.hwid,
      userId,
      platform: device.platform,
      osVersion: device.osVersion,
      deviceModel: device.deviceModel,
      userAgent: device.userAgent,
      requestIp: device.requestIp,
      createdAt: new Date(device.createdAt).toISOString(),
      updatedAt: new Date(device.updatedAt).toISOString(),
    })),
  };
}
