import type { BuiltPlanDecision } from '@panelkit/sdk/plan-builder';
import { Router } from 'express';
import { z } from 'zod';
import { requireAccount } from '../../http/viewer.js';
import { ctxOf, viewerOf, type RequestContext } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import { isId } from '../../app/input/ids.js';
import type { RateLimits } from '../../http/rate-limits.js';
import type { Shop } from '../../app/shop.js';
import { IdempotencyKeySchema } from '../../app/subscriptions/idempotency.js';
import { ownedSubscription } from '../../app/subscriptions/owned.js';
import { ChoiceField, LocationField } from '../../app/selling/location-input.js';
import { quoteBuiltPlanFor } from '../../app/selling/quote-built-plan.js';
import { locationsOfPlan } from '../../app/selling/plan-locations.js';
import { moveSubscriptionFor } from '../../app/subscriptions/move-subscription.js';

/** `POST /api/v1/plans/:id/quote`'s body: the buyer's choice of a plan they compose. */
export const BuiltQuoteBody = z.strictObject({ choice: ChoiceField });

/** `POST /api/v1/subscriptions/:id/location`'s body: where to move the subscription, and the caller's key. */
export const MoveBody = z.strictObject({ location: LocationField, idempotencyKey: IdempotencyKeySchema });

function builtQuoteJson(d: BuiltPlanDecision, ctx: RequestContext) {
  if (!d.allowed) return { allowed: false as const, reason: d.reason, part: d.part, message: ctx.t(`builder.reasons.${d.reason}`) };
  const { price, lines, terms, choice } = d.quote;
  return { allowed: true as const, price, lines, terms, choice };
}

const notFound = () => new ShopError('not_found', 'errors.notFound');

/**
 * The JSON API of plans the buyer composes and of locations (the same auth as `/api/v1`): a built plan's quote,
 * a plan's locations, and moving one's own subscription to another location (202; 200 for a replay of the key).
 * Buying a built or pinned plan is `POST /api/v1/checkout` with `choice` or `location`.
 */
export function planBuilderApiRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  router.post('/api/v1/plans/:id/quote', requireAccount, async (req, res) => {
    const ctx = ctxOf(res);
    if (!isId(req.params.id)) throw notFound();
    const { choice } = parseOrThrow(BuiltQuoteBody, req.body, ctx.t);
    const decision = await quoteBuiltPlanFor(shop, req.params.id, choice);
    if (decision === null) throw notFound();
    res.json(builtQuoteJson(decision, ctx));
  });

  router.get('/api/v1/plans/:id/locations', requireAccount, async (req, res) => {
    if (!isId(req.params.id)) throw notFound();
    const locations = await locationsOfPlan(shop, req.params.id);
    if (locations === null) throw notFound();
    res.json({ items: locations });
  });

  router.post('/api/v1/subscriptions/:id/location', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const body = parseOrThrow(MoveBody, req.body, ctx.t);
    const moved = await moveSubscriptionFor(shop, viewer.customer.id, sub.id, body);
    if (!moved.ok) {
      const { refusal } = moved;
      throw new ShopError(refusal.code, refusal.key, {}, refusal.field ? { [refusal.field]: ctx.t(refusal.key) } : {});
    }
    const { result } = moved;
    res
      .status(result.replayed ? 200 : 202)
      .json({ replayed: result.replayed, subscriptionId: result.subscriptionId, location: body.location });
  });
  return router;
}
