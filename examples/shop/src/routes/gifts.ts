import { Router } from 'express';
import { z } from 'zod';
import { normalizeGiftCode } from '@panelkit/sdk/gifts';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { noticeFrom } from '../http/notice.js';
import type { RateLimits } from '../http/rate-limits.js';
import { parseOrThrow } from '../app/input/forms.js';
import { ID_PATTERN } from '../app/input/ids.js';
import type { Shop } from '../app/shop.js';
import { IdempotencyKeySchema, newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { buyGiftFor } from '../app/gifts/buy-gift.js';
import { claimGiftFor } from '../app/gifts/claim-gift.js';
import { giftablePlans } from '../app/gifts/giftable-plans.js';
import { readGiftSettings } from '../app/gifts/gift-settings.js';
import { giftsOf, giftToClaim, giftViews } from '../app/gifts/gift-views.js';
import { localizedPlans } from '../db/plan-texts.js';
import { giftClaimPage, giftCodePage, giftsPage } from '../views/gift-pages.js';

/** `POST /gifts`' form. */
const GiftForm = z.object({ planId: z.string().regex(ID_PATTERN, { message: 'forms.invalid' }), idempotencyKey: IdempotencyKeySchema });

/**
 * The web's gifts: the buyer's gifts page (buy one from the wallet, see the ones given and whether each was
 * claimed), the code form, and a gift's claim page (`/gift/<code>`, the link a giver hands over; the Mini App opens
 * the same pages). Each calls the use cases of `app/gifts`.
 */
export function giftRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  router.get('/gifts', requireAccount, async (req, res) => {
    const ctx = ctxOf(res);
    const customerId = viewerOf(res).customer.id;
    const plans = await localizedPlans(shop, await giftablePlans(shop, customerId), ctx.locale);
    const currency = shop.config.currency;
    const [gifts, settings, balance] = await Promise.all([
      giftsOf(shop, customerId, ctx.locale),
      readGiftSettings(shop),
      shop.storage.ledger.balance(customerId, currency),
    ]);
    res.send(
      giftsPage(ctx, {
        plans,
        gifts,
        balance: { amount: balance, currency },
        validDays: settings.validDays,
        idempotencyKey: newIdempotencyKey(),
        timeZone: shop.config.timeZone,
        notice: noticeFrom(req),
      }).value,
    );
  });

  router.post('/gifts', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const form = parseOrThrow(GiftForm, req.body, ctx.t);
    await buyGiftFor(shop, viewerOf(res).customer.id, form);
    res.redirect(303, '/gifts?done=gifts.bought');
  });

  router.get('/gift', requireAccount, (req, res) => {
    const typed = typeof req.query['code'] === 'string' ? req.query['code'] : null;
    if (typed === null) return void res.send(giftCodePage(ctxOf(res)).value);
    const code = normalizeGiftCode(typed.slice(0, 40));
    if (code === null) return void res.status(404).send(giftCodePage(ctxOf(res), 'gifts.refused.unknown_code').value);
    res.redirect(303, `/gift/${code}`);
  });

  router.get('/gift/:code', requireAccount, async (req, res) => {
    const ctx = ctxOf(res);
    const found = await giftToClaim(shop, String(req.params.code).slice(0, 40), viewerOf(res).customer.id, ctx.locale);
    if (found === null) return void res.status(404).send(giftCodePage(ctx, 'gifts.refused.unknown_code').value);
    res.send(giftClaimPage(ctx, { ...found, timeZone: shop.config.timeZone }).value);
  });

  router.post('/gift/:code', requireAccount, limits.checkout, async (req, res) => {
    const claimed = await claimGiftFor(shop, viewerOf(res).customer.id, String(req.params.code).slice(0, 40));
    const sub = claimed.subscriptions[0];
    res.redirect(303, sub === undefined ? '/dashboard' : `/subscriptions/${sub.id}?done=gifts.claimed`);
  });
  return router;
}

/** `POST /api/v1/gifts`' body. */
export const GiftBody = z.strictObject({
  planId: z.string().regex(ID_PATTERN, { message: 'forms.invalid' }),
  idempotencyKey: IdempotencyKeySchema,
});
/** `POST /api/v1/gifts/claim`'s body. */
export const GiftClaimBody = z.strictObject({
  code: z.string({ message: 'forms.required' }).trim().min(1, { message: 'forms.required' }).max(40),
});

/** The JSON API's gifts: list the caller's, buy one, claim one (the same use cases as the web and the bot). */
export function giftApiRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();
  router.get('/api/v1/gifts', requireAccount, async (_req, res) => {
    const ctx = ctxOf(res);
    res.json({ items: await giftsOf(shop, viewerOf(res).customer.id, ctx.locale) });
  });

  router.post('/api/v1/gifts', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const body = parseOrThrow(GiftBody, req.body, ctx.t);
    const customerId = viewerOf(res).customer.id;
    const bought = await buyGiftFor(shop, customerId, body);
    const [view] = await giftViews(shop, [bought.gift], ctx.locale);
    res.status(bought.replayed ? 200 : 201).json({ replayed: bought.replayed, gift: view });
  });

  router.post('/api/v1/gifts/claim', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const body = parseOrThrow(GiftClaimBody, req.body, ctx.t);
    const claimed = await claimGiftFor(shop, viewerOf(res).customer.id, body.code);
    res.status(claimed.replayed ? 200 : 201).json({
      replayed: claimed.replayed,
      orderId: claimed.order.id,
      subscriptionIds: claimed.subscriptions.map((s) => s.id),
      claimedAt: claimed.gift.claimedAt,
      planId: claimed.gift.planId,
    });
  });
  return router;
}
