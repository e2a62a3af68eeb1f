import { z } from 'zod';
import { IdSchema } from '../domain/common.js';
import { DeviceInfoSchema, NoHwidPolicySchema } from '../domain/device.js';
import type { Device, DeviceInfo, DeviceInfoInput } from '../domain/device.js';
import { parseInput } from '../domain/validate.js';
import type { DeviceTerms } from '../rules/devices.js';

/** What `devices.touch` is asked: a request from a device with a hardware id, on a subscription with these terms. */
export interface DeviceTouchRequest {
  subscriptionId: string;
  /** The device as its app described it; `hwid` is required (a request without one never reaches the registry). */
  device: DeviceInfoInput;
  /** The subscription's device terms (the limit is what counts here). */
  terms: DeviceTerms;
  /** Hardware ids the subscription's panel reports for its client, counted with the registry's (see `decideDeviceAccess`). */
  panelHwids?: readonly string[];
}

/** What `devices.touch` did: refreshed a known device, registered a new one, or refused it (every slot taken). */
export type DeviceTouchResult =
  | { outcome: 'registered' | 'refreshed'; device: Device }
  | { outcome: 'refused'; reason: 'limit_reached'; count: number };

/** A `devices.touch` request as checked: its device with every field present, `panelHwids` defaulted to none. */
export interface ParsedDeviceTouch {
  subscriptionId: string;
  device: DeviceInfo;
  terms: DeviceTerms;
  panelHwids: string[];
}

const DeviceTouchRequestSchema: z.ZodType<ParsedDeviceTouch, DeviceTouchRequest> = z.strictObject({
  subscriptionId: IdSchema,
  device: DeviceInfoSchema,
  terms: z.object({ deviceLimit: z.number().int().min(1).max(1000).nullable(), noHwidPolicy: NoHwidPolicySchema }),
  panelHwids: z.array(z.string().min(1).max(200)).max(1000).default([]),
});

/** Checks a `devices.touch` request the same way in every storage (`ValidationError` otherwise). */
export function parseDeviceTouch(request: DeviceTouchRequest): ParsedDeviceTouch {
  return parseInput(DeviceTouchRequestSchema, request, 'device touch');
}

/** What `devices.refresh` is asked: a device with a hardware id on a subscription. */
export interface DeviceRefreshRequest {
  subscriptionId: string;
  /** The device as its app described it; `hwid` is required. */
  device: DeviceInfoInput;
  /**
   * When given, a device last seen after this time whose stored description is the one given is answered as
   * stored and nothing is written (a refresh storm writes each device at most once per interval); without it, or
   * for a device seen at or before it or described anew, the refresh writes.
   */
  seenAfter?: Date;
}

/** A `devices.refresh` request as checked: its device with every field present, `seenAfter` `null` when not given. */
export interface ParsedDeviceRefresh {
  subscriptionId: string;
  device: DeviceInfo;
  seenAfter: Date | null;
}

const DeviceRefreshRequestSchema: z.ZodType<ParsedDeviceRefresh, DeviceRefreshRequest> = z.strictObject({
  subscriptionId: IdSchema,
  device: DeviceInfoSchema,
  seenAfter: z
    .date()
    .optional()
    .transform((d) => d ?? null),
});

/** Checks a `devices.refresh` request the same way in every storage (`ValidationError` otherwise). */
export function parseDeviceRefresh(request: DeviceRefreshRequest): ParsedDeviceRefresh {
  return parseInput(DeviceRefreshRequestSchema, request, 'device refresh');
}

/** The description fields of a device a refresh writes when they change (every field of `DeviceInfo` but `hwid`). */
export const DEVICE_DESCRIPTION = ['platform', 'osVersion', 'model', 'app', 'appVersion', 'userAgent'] as const;

/**
 * Whether a refresh can answer the stored device without a write (`DeviceRefreshRequest.seenAfter`): it was seen
 * after that time and is described as stored. The one rule every storage applies.
 */
export function refreshUnneeded(stored: Device, refresh: ParsedDeviceRefresh): boolean {
  if (refresh.seenAfter === null || stored.lastSeenAt.getTime() <= refresh.seenAfter.getTime()) return false;
  return DEVICE_DESCRIPTION.every((field) => stored[field] === refresh.device[field]);
}

/** How many distinct devices of one subscription were seen since an instant (`devices.countSeen`); at least 1. */
export interface DeviceSeenCount {
  subscriptionId: string;
  devices: number;
}

/**
 * The devices registered on each subscription (`kit.devices`). A device is one hardware id on one subscription;
 * the same phone on two subscriptions is a device of each.
 */
export interface DeviceRepository {
  /**
   * Registers or refreshes the device, deciding with `decideDeviceAccess`: a hardware id already registered is
   * refreshed (its description and `lastSeenAt` updated); a new one is registered when the devices known are fewer
   * than `terms.deviceLimit`, and refused (`limit_reached`, nothing written) otherwise. Exact under concurrency:
   * callers on any connection or replica registering new devices on the subscription at once never register more
   * than the limit (a database storage locks the subscription's row to count and insert, in the port's lock order
   * where `subscriptions.update` stands). A missing subscription is a `NotFoundError`.
   */
  touch(request: DeviceTouchRequest): Promise<DeviceTouchResult>;
  /**
   * Refreshes a registered device (its description and `lastSeenAt`, as `touch` does) and never registers one: the
   * device as written, or as stored when `seenAfter` spares the write (see `refreshUnneeded`), or `null` when the
   * subscription has no device with that hardware id (nothing written). One statement, no lock, whether it writes
   * or not: what an app refreshing its link costs, while a registration (`touch`) may run in the caller's
   * transaction with what it causes (the engine's audit event).
   */
  refresh(request: DeviceRefreshRequest): Promise<Device | null>;
  /**
   * For each subscription named (at most `MAX_ROWS_PER_CALL`, duplicates allowed), how many of its devices were seen
   * (`lastSeenAt`) at or after `since`, in subscription id order (code point); a subscription with none seen, or
   * unknown, is left out (no count, never 0). One statement on a database. `lastSeenAt` lags an app's last fetch by
   * less than the engine's `deviceSeenEveryMs` (a refresh inside it writes nothing), so `since` should reach back
   * further than that. Devices refused at the limit are never stored and so never counted. Storage port 33.
   */
  countSeen(subscriptionIds: readonly string[], since: Date): Promise<DeviceSeenCount[]>;
  /** The subscription's devices, first registered first (by `firstSeenAt`, then id); empty for an unknown subscription. */
  list(subscriptionId: string): Promise<Device[]>;
  /** Removes one device of the subscription (its slot frees at once); the device removed, or `null` when there was none. */
  remove(subscriptionId: string, deviceId: string): Promise<Device | null>;
  /** Removes every device of the subscription; the devices removed, in `list`'s order. */
  removeAll(subscriptionId: string): Promise<Device[]>;
}
