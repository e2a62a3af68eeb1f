import type { DeviceRequest, Subscription } from '@panelkit/sdk';
import type { DeviceRefusal } from '@panelkit/sdk/rules';
import type { Shop } from '../shop.js';
import { noticeDeviceChecks } from './device-notices.js';

/** Which of a link's subscriptions serve the requesting device, and why the others refused it. */
export interface LinkDeviceCheck {
  /** The subscriptions that serve the device, in the order given. */
  served: Subscription[];
  /** The first refusal's reason when any subscription refused the device, else `null`. */
  refused: DeviceRefusal | null;
}

/**
 * Whether a request without an id is served uncounted by the subscription's frozen terms, which `touch` would
 * answer without a write and without an event: the call is skipped. Terms not frozen (`null`) follow the plan,
 * which only `touch` reads.
 */
function servedWithoutCheck(sub: Subscription, device: DeviceRequest): boolean {
  return device.hwid === null && sub.terms !== null && sub.terms.noHwidPolicy === 'serve';
}

/**
 * A client app's request on the buyer's link: each usable subscription counts the device on its own
 * (`kit.devices.touch`: registered, refreshed, served uncounted, or refused at its limit or for a missing id), on
 * the subscription as the link has just read it (not read again).
 * The buyer is told of a device refused (`noticeDeviceChecks`: once per device and limit episode); of one registered
 * by the job the registration's audit event enqueued in its transaction (`device.registered`).
 * Called for client apps only, never for a browser viewing the link's page.
 */
export async function checkLinkDevice(shop: Shop, usable: readonly Subscription[], device: DeviceRequest): Promise<LinkDeviceCheck> {
  const checks = await Promise.all(
    usable.map((sub) => (servedWithoutCheck(sub, device) ? null : shop.kit.devices.touch(sub.id, device, { subscription: sub }))),
  );
  await noticeDeviceChecks(shop, usable, device, checks);
  const served: Subscription[] = [];
  let refused: DeviceRefusal | null = null;
  usable.forEach((sub, i) => {
    const check = checks[i] ?? null;
    if (check === null || check.served) served.push(sub);
    else refused ??= check.reason;
  });
  return { served, refused };
}
