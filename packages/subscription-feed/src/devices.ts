import type { DeviceCheck, DeviceRequest, Subscription } from '@panelkit/sdk';
import { KIND_TRAITS } from '@panelkit/sdk/kinds';
import type { DeviceRefusal } from '@panelkit/sdk/rules';
import { kindOf } from './feed/feed.js';

/** What the feed asks of the SDK's device rule: `kit.devices` (or anything with its `touch`). */
export interface FeedDevices {
  /** Counts the device on the subscription (`kit.devices.touch`): served, or refused with the reason. */
  touch(subscriptionId: string, device: DeviceRequest, options?: { subscription?: Subscription }): Promise<DeviceCheck>;
}

/** Which of a link's subscriptions serve the requesting device, and why the others refused it. */
export interface DeviceVerdict {
  /** The device as the request's headers describe it (`parseDeviceHeaders`). */
  device: DeviceRequest;
  /** The subscriptions that serve the device, in the order given. */
  served: Subscription[];
  /** The first refusal's reason when any subscription refused the device, else `null`. */
  refused: DeviceRefusal | null;
  /**
   * Each subscription's check, in the order given; `null` where none was needed (served uncounted by its terms, or a
   * part whose kind counts no devices).
   */
  checks: (DeviceCheck | null)[];
}

/**
 * Whether the subscription serves the request without a check, so `touch` is not called: a part whose kind counts
 * no devices (`KIND_TRAITS[kind].devicesCountable`: only `xray` parts; a WireGuard key or a Telegram proxy is not
 * fetched by a device's app, so nothing is registered or refreshed on it, and no limit of it refuses the link), or a
 * request without an id that the subscription's frozen terms serve uncounted, which `touch` would answer without a
 * write and without an event. Terms not frozen (`null`) follow the plan, which only `touch` reads.
 */
function servedWithoutCheck(sub: Subscription, device: DeviceRequest): boolean {
  if (!KIND_TRAITS[kindOf(sub)].devicesCountable) return true;
  return device.hwid === null && sub.terms !== null && sub.terms.noHwidPolicy === 'serve';
}

/**
 * A client app's request on the buyer's link: each usable subscription counts the device on its own
 * (`kit.devices.touch`: registered, refreshed, served uncounted, or refused at its limit or for a missing id), on
 * the subscription as the link has just read it (not read again). A subscription in `checked` was decided with the
 * link's read (`kit.links.scope` with the device: a known device refreshed there) and is not touched again. A part
 * whose kind counts no devices (WireGuard, AmneziaWG, MTProto) is served unchecked. For client apps only, never a
 * browser.
 */
export async function checkDevice(
  devices: FeedDevices,
  usable: readonly Subscription[],
  device: DeviceRequest,
  checked: ReadonlyMap<string, DeviceCheck> = new Map(),
): Promise<DeviceVerdict> {
  let touched = false;
  const asked = usable.map((sub): DeviceCheck | null | Promise<DeviceCheck> => {
    if (servedWithoutCheck(sub, device)) return null;
    const decided = checked.get(sub.id);
    if (decided !== undefined) return decided;
    touched = true;
    return devices.touch(sub.id, device, { subscription: sub });
  });
  // A refresh the link's read decided everywhere (the usual one) waits on nothing.
  const checks = touched ? await Promise.all(asked) : (asked as (DeviceCheck | null)[]);
  const served: Subscription[] = [];
  let refused: DeviceRefusal | null = null;
  usable.forEach((sub, i) => {
    const check = checks[i] ?? null;
    if (check === null || check.served) served.push(sub);
    else refused ??= check.reason;
  });
  return { device, served, refused, checks };
}
