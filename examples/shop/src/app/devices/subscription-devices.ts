import { NotFoundError, type Device, type NoHwidPolicy, type Subscription } from '@panelkit/sdk';
import { isId } from '../input/ids.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/** One subscription's devices as a buyer or staff see them: each device, and the terms they count against. */
export interface SubscriptionDevices {
  subscription: Subscription;
  /** The devices registered on it, first registered first. */
  devices: Device[];
  /** Most devices at once (`null`: no limit), as the subscription was sold. */
  limit: number | null;
  /** What the link does with an app that sends no hardware id: serve it uncounted, or refuse it. */
  noHwidPolicy: NoHwidPolicy;
}

/** The subscription's devices and terms (its frozen no-id policy, else its plan's). */
export async function devicesOf(shop: Shop, sub: Subscription): Promise<SubscriptionDevices> {
  const [devices, policy] = await Promise.all([
    shop.kit.devices.list(sub.id),
    sub.terms !== null ? sub.terms.noHwidPolicy : shop.storage.plans.get(sub.planId).then((p) => p?.noHwidPolicy ?? 'serve'),
  ]);
  return { subscription: sub, devices, limit: sub.deviceLimit, noHwidPolicy: policy };
}

/** The buyer's own subscription; another buyer's, or none, is `not_found` (ids reveal nothing). */
async function buyersSubscription(shop: Shop, customerId: string, subscriptionId: unknown): Promise<Subscription> {
  const sub = isId(subscriptionId) ? await shop.storage.subscriptions.get(subscriptionId) : null;
  if (sub === null || sub.customerId !== customerId) throw new ShopError('not_found', 'errors.notFound');
  return sub;
}

/**
 * "My devices": the devices on one of the buyer's subscriptions with its limit, for the web's subscription page,
 * the JSON API and the bot alike. Another buyer's subscription is `not_found`.
 */
export async function buyerDevices(shop: Shop, customerId: string, subscriptionId: unknown): Promise<SubscriptionDevices> {
  return devicesOf(shop, await buyersSubscription(shop, customerId, subscriptionId));
}

/**
 * The buyer removes one device from their subscription (`kit.devices.remove`, audited with the buyer as actor): its
 * slot frees at once, and the device is counted anew when its app next asks. A device not on the subscription (gone
 * already, or never there) and another buyer's subscription are `not_found`, and nothing changes. Returns the device
 * removed and the devices left.
 */
export async function removeBuyerDevice(
  shop: Shop,
  customerId: string,
  subscriptionId: unknown,
  deviceId: unknown,
): Promise<{ removed: Device; left: SubscriptionDevices }> {
  const sub = await buyersSubscription(shop, customerId, subscriptionId);
  if (!isId(deviceId)) throw new ShopError('not_found', 'devices.errors.gone');
  let removed: Device;
  try {
    removed = await shop.kit.devices.remove(sub.id, deviceId, { type: 'customer', id: customerId });
  } catch (error) {
    if (NotFoundError.is(error)) throw new ShopError('not_found', 'devices.errors.gone');
    throw error;
  }
  return { removed, left: await devicesOf(shop, sub) };
}

/** How many devices a subscription counts, and its limit (`null`: none). */
export interface DeviceCount {
  count: number;
  limit: number | null;
}

/**
 * The device count of each subscription that has a limit or devices (for the link's page, read-only), by id; the
 * others are left out.
 */
export async function deviceCounts(shop: Shop, subs: readonly Subscription[]): Promise<Map<string, DeviceCount>> {
  const counted = await Promise.all(subs.map(async (sub) => [sub, (await shop.kit.devices.list(sub.id)).length] as const));
  return new Map(
    counted
      .filter(([sub, count]) => sub.deviceLimit !== null || count > 0)
      .map(([sub, count]) => [sub.id, { count, limit: sub.deviceLimit }]),
  );
}
