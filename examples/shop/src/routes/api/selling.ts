import type { PlanChangeQuoteResult, TrafficTopUpQuoteResult } from '@panelkit/sdk';
import type { DiscountDecision } from '@panelkit/sdk/rules';
import { Router } from 'express';
import { z } from 'zod';
import { requireAccount } from '../../http/viewer.js';
import { ctxOf, viewerOf, type RequestContext } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { ID_PATTERN } from '../../app/input/ids.js';
import type { RateLimits } from '../../http/rate-limits.js';
import { buyTrafficFor } from '../../app/selling/buy-traffic.js';
import { changePlanFor } from '../../app/selling/change-plan.js';
import { quotePlanChangeFor } from '../../app/selling/plan-change-options.js';
import { refusalParams } from '../../app/selling/refusals.js';
import type { Shop } from '../../app/shop.js';
import { IdempotencyKeySchema } from '../../app/subscriptions/idempotency.js';
import { ownedSubscription } from '../../app/subscriptions/owned.js';
import { subscriptionJson } from './serialize.js';

const whole = { message: 'forms.wholeNumber' };
const invalid = { message: 'forms.invalid' };
const Gib = z.number(whole).int(whole).min(1, invalid).max(100_000, invalid);
const PlanId = z.string().regex(ID_PATTERN, { message: 'forms.invalid' });
const DiscountCode = z.string().trim().max(60, { message: 'discounts.reasons.unknown_code' });
/** `POST /api/v1/subscriptions/:id/traffic`'s body. */
export const TrafficBody = z.strictObject({ gib: Gib, idempotencyKey: IdempotencyKeySchema, discountCode: DiscountCode.optional() });
/** `GET /api/v1/subscriptions/:id/traffic`'s query. */
export const TrafficQuery = z.object({
  discountCode: DiscountCode.optional(),
  gib: z
    .string()
    .regex(/^\d{1,6}$/, { message: 'forms.wholeNumber' })
    .transform(Number)
    .pipe(Gib),
});
/** `POST /api/v1/subscriptions/:id/plan-change`'s body. */
export const PlanChangeBody = z.strictObject({
  planId: PlanId,
  idempotencyKey: IdempotencyKeySchema,
  discountCode: DiscountCode.optional(),
});
/** `GET /api/v1/subscriptions/:id/plan-change`'s query. */
export const PlanChangeQuery = z.object({ planId: PlanId, discountCode: DiscountCode.optional() });

function trafficQuoteJson(d: TrafficTopUpQuoteResult, ctx: RequestContext) {
  if (!d.allowed) return { allowed: false as const, reason: d.reason, message: ctx.t(`traffic.reasons.${d.reason}`) };
  return { allowed: true as const, quote: d.quote, discount: discountJson(d.discount, ctx) };
}

function planChangeQuoteJson(d: PlanChangeQuoteResult, ctx: RequestContext) {
  if (!d.allowed) return { allowed: false as const, reason: d.reason, message: ctx.t(`planChange.reasons.${d.reason}`) };
  const q = d.quote;
  return {
    allowed: true as const,
    moves: d.moves,
    linkChanges: d.linkChanges,
    quote: {
      newPlanId: q.newPlanId,
      credit: q.credit,
      charge: q.charge,
      refund: q.refund,
      newExpiresAt: q.newExpiresAt.toISOString(),
      newTrafficLimitBytes: q.newTrafficLimitBytes,
      resetsUsage: q.resetsUsage,
    },
    discount: discountJson(d.discount, ctx),
  };
}

/** A code's decision on a quote: `null` without a code; else its quote (`price` is the debit) or why not. */
function discountJson(d: DiscountDecision | null, ctx: RequestContext) {
  if (d === null) return null;
  if (!d.allowed) return { allowed: false as const, reason: d.reason, message: ctx.t(`discounts.reasons.${d.reason}`) };
  const { code, original, discount, price } = d.quote;
  return { allowed: true as const, code, original, discount, price };
}

/**
 * The JSON API's traffic top-up and plan change (the same auth as `/api/v1`): a `GET` quotes, a
 * `POST` with the caller's idempotency key buys (202; 200 for a replay of the key).
 */
export function sellingApiRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  router.get('/api/v1/subscriptions/:id/traffic', requireAccount, async (req, res) => {
    const ctx = ctxOf(res);
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    const { gib, discountCode } = parseOrThrow(TrafficQuery, req.query, ctx.t);
    const plan = await shop.storage.plans.get(sub.planId);
    const decision = await shop.kit.quoteTrafficTopUp(sub.id, gib, discountCode ? { discountCode } : {});
    res.json({
      offer: plan?.trafficTopUp ?? null,
      ...trafficQuoteJson(decision, ctx),
      changeInProgress: await shop.kit.changeInFlight(sub.id),
    });
  });

  router.post('/api/v1/subscriptions/:id/traffic', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const body = parseOrThrow(TrafficBody, req.body, ctx.t);
    const bought = await buyTrafficFor(shop, viewer.customer.id, sub.id, body);
    if (!bought.ok) throw new ShopError(bought.refusal.code, bought.refusal.key, refusalParams(ctx.locale, bought.refusal));
    const { result } = bought;
    res.status(result.replayed ? 200 : 202).json({
      replayed: result.replayed,
      charged: result.entry === null ? null : { amount: -result.entry.amount, currency: result.entry.currency },
      newTrafficLimitBytes: result.quote?.newTrafficLimitBytes ?? null,
      discount: result.discount === null ? null : { code: result.discount.code, amount: result.discount.discount },
      subscription: subscriptionJson(result.subscription, { changeInProgress: await shop.kit.changeInFlight(sub.id) }),
    });
  });

  router.get('/api/v1/subscriptions/:id/plan-change', requireAccount, async (req, res) => {
    const ctx = ctxOf(res);
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    const { planId, discountCode } = parseOrThrow(PlanChangeQuery, req.query, ctx.t);
    // A plan not on sale to this buyer (their storefront's menu) is not found, as its POST says.
    const quoted = await quotePlanChangeFor(shop, sub.id, planId, discountCode);
    if (!quoted.ok) throw new ShopError('not_found', 'errors.notFound');
    res.json({ ...planChangeQuoteJson(quoted.quote, ctx), changeInProgress: await shop.kit.changeInFlight(sub.id) });
  });

  router.post('/api/v1/subscriptions/:id/plan-change', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const body = parseOrThrow(PlanChangeBody, req.body, ctx.t);
    const changed = await changePlanFor(shop, viewer.customer.id, sub.id, body);
    if (!changed.ok) {
      if (changed.refusal.reason === 'not_on_sale') throw new ShopError('not_found', 'errors.notFound');
      throw new ShopError(changed.refusal.code, changed.refusal.key, refusalParams(ctx.locale, changed.refusal));
    }
    const { result } = changed;
    res.status(result.replayed ? 200 : 202).json({
      replayed: result.replayed,
      moves: result.moves,
      charged: result.entry === null ? null : { amount: -result.entry.amount, currency: result.entry.currency },
      refund: result.quote?.refund ?? null,
      discount: result.discount === null ? null : { code: result.discount.code, amount: result.discount.discount },
      subscription: subscriptionJson(result.subscription, { changeInProgress: await shop.kit.changeInFlight(sub.id) }),
    });
  });
  return router;
}
