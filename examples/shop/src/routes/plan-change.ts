import type { PlanChangeQuoteResult, Subscription } from '@panelkit/sdk';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { parseForm } from '../app/input/forms.js';
import { isId } from '../app/input/ids.js';
import type { RateLimits } from '../http/rate-limits.js';
import { changePlanFor } from '../app/selling/change-plan.js';
import { planChangeOptionsFor } from '../app/selling/plan-change-options.js';
import { refusalParams } from '../app/selling/refusals.js';
import type { Shop } from '../app/shop.js';
import { IdempotencyKeySchema, newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { ownedSubscription } from '../app/subscriptions/owned.js';
import type { Refusal } from '../app/subscriptions/refusals.js';
import { planChangePage } from '../views/plan-change-page.js';
import { localizedPlan, localizedPlans } from '../db/plan-texts.js';
import { withBrandPlanNames } from '../app/storefront-bots/brand-texts.js';
import { walletRoom } from '../app/selling/buyer-prices.js';
import { httpStatusOf } from '../http/status.js';

const CodeSchema = z.string().trim().max(60, { message: 'discounts.reasons.unknown_code' });
const ChangeForm = z.object({
  planId: z.string().refine(isId, { message: 'forms.invalid' }),
  idempotencyKey: IdempotencyKeySchema,
  /** The code the option was quoted with (set only on an option the code applies to). */
  discountCode: CodeSchema.optional(),
});
const PageQuery = z.object({ discountCode: CodeSchema.optional() });

/** The reason to show on the code's field when the code applies to no option: the first option's. */
function codeRefusal(options: { quote: PlanChangeQuoteResult }[]): string | null {
  const decisions = options.flatMap((o) => (o.quote.discount === null ? [] : [o.quote.discount]));
  if (decisions.length === 0 || decisions.some((d) => d.allowed)) return null;
  const first = decisions[0]!;
  return first.allowed ? null : first.reason;
}

/**
 * Buyer pages to move a subscription to another plan: the prorated quote of every plan the buyer may move to first
 * (`planChangeOptionsFor`; with a discount code when one is given, `?discountCode=`), then the switch.
 */
export function planChangeRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  const render = async (res: Response, status: number, sub: Subscription, idempotencyKey: string, refusal?: Refusal, discountCode = '') => {
    const ctx = ctxOf(res);
    // The plans this buyer may move to, quoted (a storefront's buyer: its menu, at its prices), from the SDK's one rule.
    const [storedPlan, offered, inFlight] = await Promise.all([
      shop.storage.plans.get(sub.planId),
      planChangeOptionsFor(shop, sub.id, discountCode),
      shop.kit.changeInFlight(sub.id),
    ]);
    const brand = ctx.storefront?.planNames;
    const currentPlan =
      storedPlan === null ? null : withBrandPlanNames([await localizedPlan(shop, storedPlan, ctx.locale)], brand, ctx.locale)[0]!;
    const named = withBrandPlanNames(
      await localizedPlans(
        shop,
        offered.map((o) => o.plan),
        ctx.locale,
      ),
      brand,
      ctx.locale,
    );
    const options = offered.map((o, i) => ({ plan: named[i]!, quote: o.quote }));
    // A code that fits no option is said on its field (a code refused at payment, by the refusal).
    const refused = refusal?.field === 'discountCode' ? refusal.reason : codeRefusal(options);
    const codeError = refused === null ? null : ctx.t(`discounts.reasons.${refused}`);
    if (codeError !== null && status === 200) status = 409;
    const { balance, creditLimit } = await walletRoom(shop, sub.customerId, currentPlan?.price.currency ?? shop.config.currency);
    const problem = refusal && refusal.field !== 'discountCode' ? ctx.t(refusal.key, refusalParams(ctx.locale, refusal)) : null;
    const view = {
      sub,
      currentPlan,
      options,
      balance,
      creditLimit,
      changeInFlight: inFlight,
      idempotencyKey,
      timeZone: shop.config.timeZone,
      problem,
      discountCode,
      codeError,
    };
    res.status(status).send(planChangePage(ctx, view).value);
  };

  router.get('/subscriptions/:id/plan', requireAccount, async (req, res) => {
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    const query = PageQuery.safeParse(req.query);
    if (!query.success) {
      return render(res, 400, sub, newIdempotencyKey(), {
        code: 'invalid_input',
        key: 'discounts.reasons.unknown_code',
        reason: 'unknown_code',
        field: 'discountCode',
      });
    }
    await render(res, 200, sub, newIdempotencyKey(), undefined, query.data.discountCode ?? '');
  });

  router.post('/subscriptions/:id/plan', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const form = parseForm(ChangeForm, req.body, ctx.t);
    if (!form.ok)
      return render(res, 400, sub, newIdempotencyKey(), { code: 'invalid_input', key: 'planChange.formExpired', reason: 'invalid_form' });
    const { planId, idempotencyKey, discountCode } = form.data;
    const changed = await changePlanFor(shop, viewer.customer.id, sub.id, { planId, idempotencyKey, discountCode });
    if (changed.ok) return res.redirect(303, `/subscriptions/${sub.id}?done=planChange.changed`);
    // A plan no longer on sale starts over with a fresh form; any other refusal keeps what was typed.
    const keepKey = changed.refusal.reason === 'not_on_sale' ? newIdempotencyKey() : idempotencyKey;
    await render(res, httpStatusOf(changed.refusal.code), sub, keepKey, changed.refusal, discountCode ?? '');
  });
  return router;
}
