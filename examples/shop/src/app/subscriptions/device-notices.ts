import { createHash } from 'node:crypto';
import type { Device, DeviceCheck, DeviceRequest, Subscription } from '@panelkit/sdk';
import type { NewNotification } from '../../db/notifications.js';
import { notificationsOf } from '../../db/notifications.js';
import type { Shop } from '../shop.js';

/** A short, stable digest of a text, for notice sources (hardware ids are the buyer's, and long). */
const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

/** What a device notice says about the device: what its app sent, never its hardware id. */
function deviceParams(device: Pick<Device, 'model' | 'platform' | 'app'>) {
  return { deviceModel: device.model, devicePlatform: device.platform, deviceApp: device.app };
}

/**
 * The notice for a device refused on the subscription, keyed by its "limit episode": the subscription's limit and
 * the devices it holds while it refuses. An app refreshes its link every few hours and retries at once on some
 * clients, and every replica sees the same episode: one notice per device (per app, for one without an id) until a
 * device is removed or added, or the limit changes; then a device refused again is news again.
 */
async function refusedNotice(
  shop: Shop,
  sub: Subscription,
  device: DeviceRequest,
  check: Extract<DeviceCheck, { served: false }>,
): Promise<NewNotification> {
  const held = (await shop.kit.devices.list(sub.id)).map((d) => d.id).sort();
  const episode = digest(`${check.limit ?? '-'}|${held.join(',')}`);
  const who = digest(device.hwid ?? `app:${device.app ?? device.userAgent ?? ''}`);
  return {
    recipient: { kind: 'customer', customerId: sub.customerId },
    kind: 'device_refused',
    source: `device:${sub.id}:${check.reason}:${who}:${episode}`,
    params: {
      subscriptionId: sub.id,
      planId: sub.planId,
      refusal: check.reason,
      limit: check.limit,
      count: check.count,
      ...deviceParams({ model: device.model ?? null, platform: device.platform ?? null, app: device.app ?? null }),
    },
  };
}

/**
 * The notice for a device registered on the subscription (its `device.registered` audit event, written with the
 * registration: see `noticesFor`): what its app said it is, the subscription's limit as it stands now.
 */
export function deviceAddedNotice(sub: Subscription, device: Pick<Device, 'model' | 'platform' | 'app'>): Omit<NewNotification, 'source'> {
  return {
    recipient: { kind: 'customer', customerId: sub.customerId },
    kind: 'device_added',
    params: { subscriptionId: sub.id, planId: sub.planId, limit: sub.deviceLimit, ...deviceParams(device) },
  };
}

/**
 * Tells the buyer about the devices the link refused: a notification written with its delivery job in one
 * transaction, under a source unique per refusal episode, so however many requests and replicas see the same refusal
 * it is written once; a refusal already told is a read, not a write. A failure to write is logged and leaves the
 * link's answer alone: the app's next refresh tries again. A registered device is told by its audit event's job
 * (`deviceAddedNotice`), enqueued in the registration's transaction, never here.
 */
export async function noticeDeviceChecks(
  shop: Shop,
  subs: readonly Subscription[],
  device: DeviceRequest,
  checks: readonly (DeviceCheck | null)[],
): Promise<void> {
  if (checks.every((check) => check === null || check.served)) return;
  const store = notificationsOf(shop);
  await Promise.all(
    subs.map(async (sub, i) => {
      const check = checks[i] ?? null;
      if (check === null || check.served) return;
      try {
        const notice = await refusedNotice(shop, sub, device, check);
        if (!(await store.has(notice))) await store.write(notice);
      } catch (error) {
        shop.logger.warn({ err: error, subscriptionId: sub.id }, 'writing a device notice failed; the next request tries again');
      }
    }),
  );
}
