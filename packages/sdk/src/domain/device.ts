import { z } from 'zod';
import { IdSchema } from './common.js';

/**
 * What a subscription does with a request from an app that sends no hardware id (v2rayNG, older clients):
 * `serve` it without counting it against the device limit, or `refuse` it (`hwid_required`).
 */
export const NoHwidPolicySchema = z.enum(['serve', 'refuse']);
/** See {@link NoHwidPolicySchema}. */
export type NoHwidPolicy = z.infer<typeof NoHwidPolicySchema>;

const optionalText = (max: number) => z.string().trim().max(max).nullable();

/**
 * What an app says about the device it runs on, as read from its request (`parseDeviceHeaders`): the hardware
 * id (`X-HWID`), the platform and its version (`X-Device-OS`, `X-Ver-OS`), the model (`X-Device-Model`), and the
 * app and its version from the `User-Agent`. Every field but `hwid` may be unknown (`null`).
 */
export const DeviceInfoSchema = z.object({
  /** The app's hardware id for this device; what a device is counted by. */
  hwid: z.string().trim().min(1).max(200),
  /** The operating system as the app names it, lower-cased (`android`, `ios`, `windows`, `macos`, `linux`…). */
  platform: optionalText(50).default(null),
  /** The operating system's version. */
  osVersion: optionalText(100).default(null),
  /** The device model (`Pixel 8`, `iPhone15,2`). */
  model: optionalText(200).default(null),
  /** The app (`Happ`, `v2RayTun`, `Hiddify`…) from the User-Agent. */
  app: optionalText(100).default(null),
  /** The app's version from the User-Agent. */
  appVersion: optionalText(50).default(null),
  /** The raw User-Agent, cut to 500 characters. */
  userAgent: optionalText(500).default(null),
});
/** A device's description as stored (see {@link DeviceInfoSchema}). */
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>;
/** A device's description as callers may write it: every field but `hwid` optional. */
export type DeviceInfoInput = z.input<typeof DeviceInfoSchema>;

/** A device registered on a subscription: one hardware id, counted once against the subscription's device limit. */
export const DeviceSchema = DeviceInfoSchema.extend({
  id: IdSchema,
  subscriptionId: IdSchema,
  /** When the device was registered. */
  firstSeenAt: z.date(),
  /** The last request from it (a registration or a refresh), written at most every `policy.deviceSeenEveryMs`. */
  lastSeenAt: z.date(),
});
/** A registered device (see {@link DeviceSchema}). */
export type Device = z.infer<typeof DeviceSchema>;

/**
 * Where a listed device is known: the kit's `registry` (it asked the shop's link), the `panel` (it fetched the
 * panel's own subscription link, and the panel lists its devices), or `both`.
 */
export type DeviceSource = 'registry' | 'panel' | 'both';

/**
 * A device as `kit.devices.list` gives it: the registry's and the panel's devices merged, each hardware id once. A
 * device only the panel holds has an id of the kit's making (`panel_…`, stable for its hardware id) that
 * `kit.devices.remove` takes like a registry id.
 */
export interface ListedDevice extends Device {
  /** Where the device is known. */
  readonly source: DeviceSource;
}

/** The most characters of each description field (`DeviceInfoSchema`'s bounds), for the check without zod. */
const DESCRIPTION_MAX = { platform: 50, osVersion: 100, model: 200, app: 100, appVersion: 50, userAgent: 500 } as const;

/** A text `DeviceInfoSchema` keeps as given: already trimmed and within `max` (a trimmed string is its own parse). */
const asIs = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max && value.trim() === value;

/**
 * `DeviceInfoSchema`'s parse of a device already in its parsed form (an object literal of known fields, each text
 * trimmed and within its bound), checked by hand: what an app's link refresh sends on every request. `undefined` for
 * anything else, which the schema then parses (the same answer, or the `ValidationError` it words). `hwid` may be
 * `null` when `nullHwid` (a request without an id).
 */
export function deviceInfoAsIs(input: unknown, nullHwid: boolean): (Omit<DeviceInfo, 'hwid'> & { hwid: string | null }) | undefined {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  const given = input as Record<string, unknown>;
  for (const key in given) if (key !== 'hwid' && !(key in DESCRIPTION_MAX)) return undefined;
  const hwid = given['hwid'];
  if (!(asIs(hwid, 1, 200) || (nullHwid && hwid === null))) return undefined;
  const out: Record<string, string | null> = { hwid };
  for (const field of Object.keys(DESCRIPTION_MAX) as (keyof typeof DESCRIPTION_MAX)[]) {
    const value = given[field];
    if (value === undefined || value === null) out[field] = null;
    else if (asIs(value, 0, DESCRIPTION_MAX[field])) out[field] = value;
    else return undefined;
  }
  return out as Omit<DeviceInfo, 'hwid'> & { hwid: string | null };
}
