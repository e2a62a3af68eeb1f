import { planAsSold, type Subscription } from '@panelkit/sdk';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { parseForm } from '../app/input/forms.js';
import type { RateLimits } from '../http/rate-limits.js';
import { buyTrafficFor } from '../app/selling/buy-traffic.js';
import { refusalParams } from '../app/selling/refusals.js';
import type { Shop } from '../app/shop.js';
import { IdempotencyKeySchema, newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { ownedSubscription } from '../app/subscriptions/owned.js';
import type { Refusal } from '../app/subscriptions/refusals.js';
import { trafficPage } from '../views/traffic-page.js';
import { planName } from '../app/subscriptions/plan-names.js';
import { walletRoom } from '../app/selling/buyer-prices.js';
import { httpStatusOf } from '../http/status.js';

const invalid = { message: 'forms.invalid' };
const GibSchema = z.coerce.number(invalid).int(invalid).min(1, invalid).max(100_000, invalid);
const CodeSchema = z.string().trim().max(60, { message: 'discounts.reasons.unknown_code' });
const BuyForm = z.object({ gib: GibSchema, idempotencyKey: IdempotencyKeySchema, discountCode: CodeSchema.optional() });

/**
 * Buyer pages to buy extra traffic for a subscription: a quote first (with a discount code when one is
 * given, `?discountCode=`), then the payment from the wallet.
 */
export function trafficRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  const render = async (
    res: Response,
    status: number,
    sub: Subscription,
    gib: number | null,
    idempotencyKey: string,
    refusal?: Refusal,
    discountCode = '',
  ) => {
    const ctx = ctxOf(res);
    const plan = await shop.storage.plans.get(sub.planId);
    // The offer as sold (frozen terms: a reseller's price per GiB), not today's plan.
    const offer = plan === null ? null : planAsSold(plan, sub).trafficTopUp;
    const [asked, inFlight] = await Promise.all([
      gib === null || offer === null
        ? null
        : shop.kit.quoteTrafficTopUp(sub.id, gib, discountCode === '' ? {} : { discountCode }).then((decision) => ({ gib, decision })),
      shop.kit.changeInFlight(sub.id),
    ]);
    const { balance, creditLimit } = await walletRoom(shop, sub.customerId, offer?.pricePerGiB.currency ?? shop.config.currency);
    // A refused code is said on its field: from the payment's refusal, or from the quote.
    const quoted = asked?.decision.discount;
    const refused = refusal?.field === 'discountCode' ? refusal.reason : quoted && !quoted.allowed ? quoted.reason : null;
    const codeError = refused === null ? null : ctx.t(`discounts.reasons.${refused}`);
    if (codeError !== null && status === 200) status = 409;
    const problem = refusal && refusal.field !== 'discountCode' ? ctx.t(refusal.key, refusalParams(ctx.locale, refusal)) : null;
    const view = {
      sub,
      planName: await planName(shop, sub.planId, ctx.locale, ctx.storefront?.planNames),
      offer,
      asked,
      balance,
      creditLimit,
      changeInFlight: inFlight,
      idempotencyKey,
      problem,
      discountCode,
      codeError,
    };
    res.status(status).send(trafficPage(ctx, view).value);
  };

  router.get('/subscriptions/:id/traffic', requireAccount, async (req, res) => {
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    const gib = req.query['gib'] === undefined ? null : GibSchema.safeParse(req.query['gib']);
    const code = CodeSchema.optional().safeParse(req.query['discountCode']);
    if (!code.success) {
      const refusal: Refusal = {
        code: 'invalid_input',
        key: 'discounts.reasons.unknown_code',
        reason: 'unknown_code',
        field: 'discountCode',
      };
      return render(res, 400, sub, gib?.success ? gib.data : null, newIdempotencyKey(), refusal);
    }
    if (gib !== null && !gib.success) {
      return render(res, 400, sub, null, newIdempotencyKey(), {
        code: 'invalid_input',
        key: 'traffic.reasons.invalid_amount',
        reason: 'invalid_amount',
      });
    }
    await render(res, 200, sub, gib?.data ?? null, newIdempotencyKey(), undefined, code.data ?? '');
  });

  router.post('/subscriptions/:id/traffic', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const form = parseForm(BuyForm, req.body, ctx.t);
    if (!form.ok)
      return render(res, 400, sub, null, newIdempotencyKey(), {
        code: 'invalid_input',
        key: 'traffic.formExpired',
        reason: 'invalid_form',
      });
    const { gib, idempotencyKey, discountCode } = form.data;
    const bought = await buyTrafficFor(shop, viewer.customer.id, sub.id, { gib, idempotencyKey, discountCode });
    if (bought.ok) return res.redirect(303, `/subscriptions/${sub.id}?done=traffic.bought`);
    await render(res, httpStatusOf(bought.refusal.code), sub, gib, idempotencyKey, bought.refusal, discountCode ?? '');
  });
  return router;
}
