import { Router, type Response } from 'express';
import { z } from 'zod';
import { buyDevicePackFor, devicePackOffer } from '../app/devices/device-packs.js';
import { parseForm } from '../app/input/forms.js';
import { refusalParams } from '../app/selling/refusals.js';
import type { Shop } from '../app/shop.js';
import { IdempotencyKeySchema, newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { planName } from '../app/subscriptions/plan-names.js';
import type { Refusal } from '../app/subscriptions/refusals.js';
import { ctxOf, viewerOf } from '../http/context.js';
import type { RateLimits } from '../http/rate-limits.js';
import { httpStatusOf } from '../http/status.js';
import { requireAccount } from '../http/viewer.js';
import { devicePackPage } from '../views/device-pack.js';

const invalid = { message: 'forms.invalid' };
const BuyForm = z.object({
  devices: z.coerce.number(invalid).int(invalid).min(1, invalid).max(100, invalid),
  idempotencyKey: IdempotencyKeySchema,
});

/**
 * "Add devices" on the web (and in the Mini App, the same pages): the offer beside "my devices" posts here, the
 * payment from the wallet (`buyDevicePackFor`). Paid: back to the subscription's devices with a notice. Refused:
 * this page again with the reason (and a top-up link when the wallet is short), in the refusal's status.
 */
export function devicePackRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  const render = async (res: Response, status: number, subscriptionId: unknown, refusal: Refusal | null) => {
    const ctx = ctxOf(res);
    const offer = await devicePackOffer(shop, viewerOf(res).customer.id, subscriptionId);
    const problem = refusal === null ? null : ctx.t(refusal.key, refusalParams(ctx.locale, refusal));
    const view = {
      offer,
      planName: await planName(shop, offer.subscription.planId, ctx.locale, ctx.storefront?.planNames),
      idempotencyKey: newIdempotencyKey(),
      problem,
      shortOfFunds: refusal?.code === 'insufficient_funds',
      timeZone: shop.config.timeZone,
    };
    res.status(status).send(devicePackPage(ctx, view).value);
  };

  router.get('/subscriptions/:id/devices/add', requireAccount, (req, res) => render(res, 200, req.params.id, null));

  router.post('/subscriptions/:id/devices/add', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseForm(BuyForm, req.body, ctx.t);
    if (!form.ok) return render(res, 400, req.params.id, { code: 'invalid_input', key: 'devicePacks.formExpired', reason: 'invalid_form' });
    const bought = await buyDevicePackFor(shop, viewerOf(res).customer.id, req.params.id, form.data);
    if (bought.ok) return res.redirect(303, `/subscriptions/${bought.result.subscription.id}?done=devicePacks.bought#devices`);
    await render(res, httpStatusOf(bought.refusal.code), req.params.id, bought.refusal);
  });
  return router;
}
