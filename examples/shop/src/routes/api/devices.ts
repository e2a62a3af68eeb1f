import type { Device } from '@panelkit/sdk';
import { Router } from 'express';
import { buyerDevices, removeBuyerDevice, type SubscriptionDevices } from '../../app/devices/subscription-devices.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { requireAccount } from '../../http/viewer.js';
import { deviceName } from '../../i18n/device-text.js';
import type { Translate } from '../../i18n/translate.js';
import type { Shop } from '../../app/shop.js';

/** A device for its buyer (`DeviceResponse`): what its app said, named in the caller's language; never its hardware id. */
export function deviceJson(device: Device, t: Translate) {
  return {
    id: device.id,
    name: deviceName(device, t),
    platform: device.platform,
    osVersion: device.osVersion,
    model: device.model,
    app: device.app,
    appVersion: device.appVersion,
    firstSeenAt: device.firstSeenAt.toISOString(),
    lastSeenAt: device.lastSeenAt.toISOString(),
  };
}

/** A subscription's devices and limit (`DeviceListResponse`). */
export function deviceListJson(view: SubscriptionDevices, t: Translate) {
  return {
    subscriptionId: view.subscription.id,
    limit: view.limit,
    count: view.devices.length,
    noHwidPolicy: view.noHwidPolicy,
    items: view.devices.map((d) => deviceJson(d, t)),
  };
}

/** "My devices" and "remove a device" in the JSON API: the web page's use cases, for the caller's own subscriptions. */
export function deviceApiRoutes(shop: Shop): Router {
  const router = Router();

  router.get('/api/v1/subscriptions/:id/devices', requireAccount, async (req, res) => {
    const view = await buyerDevices(shop, viewerOf(res).customer.id, req.params['id']);
    res.json(deviceListJson(view, ctxOf(res).t));
  });

  router.post('/api/v1/subscriptions/:id/devices/:deviceId/remove', requireAccount, async (req, res) => {
    const { t } = ctxOf(res);
    const { removed, left } = await removeBuyerDevice(shop, viewerOf(res).customer.id, req.params['id'], req.params['deviceId']);
    res.json({ ...deviceListJson(left, t), removed: deviceJson(removed, t) });
  });
  return router;
}
