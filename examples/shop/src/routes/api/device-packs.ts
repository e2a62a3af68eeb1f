import { Router } from 'express';
import { z } from 'zod';
import { buyDevicePackFor, devicePackOffer, type DevicePackOfferView } from '../../app/devices/device-packs.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { refusalParams } from '../../app/selling/refusals.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { IdempotencyKeySchema } from '../../app/subscriptions/idempotency.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import type { RateLimits } from '../../http/rate-limits.js';
import { requireAccount } from '../../http/viewer.js';
import type { Translate } from '../../i18n/translate.js';

const whole = { message: 'forms.wholeNumber' };
const invalid = { message: 'forms.invalid' };
/** `POST /api/v1/subscriptions/:id/devices/pack`'s body: how many devices to add, and the caller's key for this purchase. */
export const DevicePackBody = z.strictObject({
  devices: z.number(whole).int(whole).min(1, invalid).max(100, invalid),
  idempotencyKey: IdempotencyKeySchema,
});

/** The offer on a subscription (`DevicePackOfferResponse`): what one device costs now, how many more may be added, or why none. */
export function devicePackOfferJson(view: DevicePackOfferView, t: Translate) {
  return {
    subscriptionId: view.subscription.id,
    deviceLimit: view.subscription.deviceLimit,
    offer: view.offer,
    extraDevices: view.extraDevices,
    canAdd: view.canAdd,
    unitPrice: view.unitPrice,
    until: view.until?.toISOString() ?? null,
    refused: view.reason === null ? null : { reason: view.reason, message: t(`devicePacks.reasons.${view.reason}`) },
  };
}

/**
 * "Add devices" in the JSON API (the same auth as `/api/v1`): a `GET` says the offer on one of the caller's
 * subscriptions, a `POST` with the caller's idempotency key buys (201; 200 for a replay of the key, with the same
 * order). The web page, the bot and the Mini App call the same use case (`buyDevicePackFor`).
 */
export function devicePackApiRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  router.get('/api/v1/subscriptions/:id/devices/pack', requireAccount, async (req, res) => {
    const view = await devicePackOffer(shop, viewerOf(res).customer.id, req.params['id']);
    res.json(devicePackOfferJson(view, ctxOf(res).t));
  });

  router.post('/api/v1/subscriptions/:id/devices/pack', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const body = parseOrThrow(DevicePackBody, req.body, ctx.t);
    const bought = await buyDevicePackFor(shop, viewerOf(res).customer.id, req.params['id'], body);
    if (!bought.ok) throw new ShopError(bought.refusal.code, bought.refusal.key, refusalParams(ctx.locale, bought.refusal));
    const { result } = bought;
    res.status(result.replayed ? 200 : 201).json({
      replayed: result.replayed,
      order: { id: result.order.id, total: result.order.total, devices: result.order.items[0]?.quantity ?? 0 },
      charged: result.entry === null ? null : { amount: -result.entry.amount, currency: result.entry.currency },
      deviceLimit: result.subscription.deviceLimit,
      until: result.quote?.until.toISOString() ?? result.subscription.expiresAt?.toISOString() ?? null,
    });
  });
  return router;
}
