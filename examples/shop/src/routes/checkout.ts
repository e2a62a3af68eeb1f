import { orderPurchaseKey } from '@panelkit/sdk';
import type { Plan } from '@panelkit/sdk';
import type { DiscountQuote } from '@panelkit/sdk/rules';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { parseForm, type FieldErrors } from '../app/input/forms.js';
import { ShopError } from '../app/shop-error.js';
import { noticeFrom } from '../http/notice.js';
import type { RateLimits } from '../http/rate-limits.js';
import { formatMoney } from '../i18n/format.js';
import type { Shop } from '../app/shop.js';
import { LINKED_STATUSES } from '@panelkit/subscription-feed';
import { qrDataUrl } from '../views/qr-code.js';
import { buyerLinkOf } from '../app/subscriptions/buyer-link.js';
import { appButtonsOf } from '../app/subscriptions/app-buttons.js';
import { subscriptionLinkVersionOf } from '../app/subscriptions/rotate-link.js';
import { IdempotencyKeySchema, newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { isId } from '../app/input/ids.js';
import { ownedOrder } from '../app/subscriptions/owned.js';
import { planNames } from '../app/subscriptions/plan-names.js';
import type { Refusal } from '../app/subscriptions/refusals.js';
import { buyPlansFor, quotePlansFor } from '../app/selling/buy-plans.js';
import { checkoutPage, type CheckoutValues } from '../views/checkout-page.js';
import { orderPage } from '../views/order-page.js';
import { localizedPlan } from '../db/plan-texts.js';
import { withBrandPlanNames } from '../app/storefront-bots/brand-texts.js';
import { plansOnSaleTo, walletRoom } from '../app/selling/buyer-prices.js';
import { httpStatusOf } from '../http/status.js';
import { quoteBuiltPlan } from '@panelkit/sdk/plan-builder';
import { ChoiceFormFields, choiceOfForm } from '../app/selling/choice-form.js';
import { emptyChoice } from '../views/plan-choice.js';
import { locationsOfPlan } from '../app/selling/plan-locations.js';

const checkbox = z
  .enum(['on', 'true', '1'], { message: 'forms.invalid' })
  .optional()
  .transform((v) => v !== undefined);

const CheckoutForm = ChoiceFormFields.extend({
  quantity: z
    .string({ message: 'forms.wholeNumber' })
    .trim()
    .regex(/^\d{1,3}$/, { message: 'forms.wholeNumber' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(10)),
  autoRenew: checkbox,
  trial: checkbox,
  idempotencyKey: IdempotencyKeySchema,
  /** Optional: the engine judges it (a refusal comes back on this field). */
  discountCode: z.string().trim().max(60, { message: 'discounts.reasons.unknown_code' }).optional(),
  /** `apply`: show the price with the code, charge nothing. */
  intent: z.enum(['apply', 'pay']).optional(),
});

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value.slice(0, 100) : fallback);

/** What the buyer submitted, to show again beside the errors (never trusted for anything else). */
function submittedValues(body: Record<string, unknown> | undefined): CheckoutValues {
  const key = text(body?.['idempotencyKey']);
  return {
    quantity: text(body?.['quantity'], '1'),
    autoRenew: body?.['autoRenew'] !== undefined,
    trial: body?.['trial'] !== undefined,
    idempotencyKey: IdempotencyKeySchema.safeParse(key).success ? key : newIdempotencyKey(),
    discountCode: text(body?.['discountCode']).slice(0, 60),
    location: text(body?.['location']),
    builtLocations: [body?.['choiceLocations'] ?? []]
      .flat()
      .filter((l): l is string => typeof l === 'string')
      .slice(0, 64),
    devices: text(body?.['devices']),
    trafficGiB: text(body?.['trafficGiB']),
    days: text(body?.['days']),
  };
}

export function checkoutRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  const planFor = async (id: unknown): Promise<Plan> => {
    const plan = isId(id) ? await shop.storage.plans.get(id) : null;
    if (plan === null) throw new ShopError('not_found', 'errors.notFound');
    return plan;
  };

  const render = async (
    res: Response,
    status: number,
    plan: Plan,
    values: CheckoutValues,
    errors?: FieldErrors,
    refusal?: Refusal,
    discount?: DiscountQuote | null,
  ) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    // A reseller sees the price it buys at, and can spend down to minus its credit limit.
    const [priced] = await plansOnSaleTo(shop, { customerId: viewer.customer.id, storefrontId: viewer.customer.storefrontId }, [plan]);
    if (priced === undefined) throw new ShopError('not_found', 'storefronts.refusals.not_on_menu');
    const room = await walletRoom(shop, viewer.customer.id, plan.price.currency);
    const problem = refusal && {
      message: ctx.t(
        refusal.key,
        refusal.funds
          ? {
              balance: formatMoney({ amount: refusal.funds.balance, currency: refusal.funds.currency }, ctx.locale),
              total: formatMoney({ amount: refusal.funds.required, currency: refusal.funds.currency }, ctx.locale),
            }
          : {},
      ),
      topUp: refusal.reason === 'insufficient_funds',
    };
    const choice =
      plan.builder === null
        ? null
        : choiceOfForm(
            plan,
            ChoiceFormFields.catch({}).parse({
              location: values.location,
              choiceLocations: [...values.builtLocations],
              devices: values.devices,
              trafficGiB: values.trafficGiB,
              days: values.days,
            }),
          ).choice;
    const decision = choice ? quoteBuiltPlan(plan, choice) : null;
    res.status(status).send(
      checkoutPage(ctx, {
        locations: (await locationsOfPlan(shop, plan.id)) ?? [],
        builtPrice: decision?.allowed ? decision.quote.price : null,
        plan: withBrandPlanNames([await localizedPlan(shop, priced, ctx.locale)], ctx.storefront?.planNames, ctx.locale)[0]!,
        balance: room.balance,
        creditLimit: room.creditLimit,
        values,
        errors,
        problem,
        discount: discount ?? null,
      }).value,
    );
  };

  router.get('/checkout/:planId', requireAccount, async (req, res) => {
    const plan = await planFor(req.params.planId);
    const quantity = text(req.query['quantity']);
    await render(res, 200, plan, {
      quantity: /^([1-9]|10)$/.test(quantity) ? quantity : '1',
      autoRenew: false,
      trial: req.query['trial'] === '1' && plan.trial !== null,
      idempotencyKey: newIdempotencyKey(),
      discountCode: '',
      ...emptyChoice(plan),
    });
  });

  router.post('/checkout/:planId', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const plan = await planFor(req.params.planId);
    const values = submittedValues(req.body as Record<string, unknown> | undefined);
    const form = parseForm(CheckoutForm, req.body, ctx.t);
    if (!form.ok) {
      // The hidden key and the checkboxes have no message slot of their own: say it for the form.
      const { idempotencyKey: badKey, trial: badTrial, autoRenew: badRenew, ...fields } = form.fields;
      const whole = badKey !== undefined ? ctx.t('checkout.formExpired') : (badTrial ?? badRenew);
      return render(res, 400, plan, values, whole === undefined ? fields : { ...fields, _form: whole });
    }
    const { quantity, trial, autoRenew, idempotencyKey } = form.data;
    const { discountCode } = form.data;
    const items = [{ planId: plan.id, quantity, trial, autoRenew, ...choiceOfForm(plan, form.data) }];
    const refused = async (refusal: Refusal) => {
      // Nothing was written, so the same key may be sent again, unless it is the key that clashed.
      const next = refusal.reason === 'idempotency_key_reused' ? { ...values, idempotencyKey: newIdempotencyKey() } : values;
      const errors = refusal.field !== undefined ? { [refusal.field]: ctx.t(refusal.key) } : undefined;
      await render(res, httpStatusOf(refusal.code), plan, next, errors, refusal.field === undefined ? refusal : undefined);
    };
    if (form.data.intent === 'apply') {
      // Only a quote: nothing is charged, and the same key stays for the payment.
      const quoted = await quotePlansFor(shop, viewer.customer.id, { items, discountCode });
      if (!quoted.ok) return refused(quoted.refusal);
      const { discount } = quoted.quote;
      const codeRefused =
        discount !== null && !discount.allowed ? { discountCode: ctx.t(`discounts.reasons.${discount.reason}`) } : undefined;
      return render(res, codeRefused ? 409 : 200, plan, values, codeRefused, undefined, discount?.allowed ? discount.quote : null);
    }
    const bought = await buyPlansFor(shop, viewer.customer.id, { items, idempotencyKey, discountCode });
    if (!bought.ok) return refused(bought.refusal);
    res.redirect(303, `/orders/${bought.result.order.id}?done=checkout.ordered`);
  });

  router.get('/orders/:id', requireAccount, async (req, res) => {
    const order = await ownedOrder(shop, viewerOf(res), req.params.id);
    const subscriptions = await shop.storage.subscriptions.listByOrder(order.id);
    const names = await planNames(shop, order.items, ctxOf(res).locale, ctxOf(res).storefront?.planNames);
    const reasons = await Promise.all(subscriptions.map((s) => shop.kit.pendingReason(s)));
    const serverDown = reasons.includes('panel_unavailable');
    // The buyer's one link, once something behind it works.
    const live = subscriptions.some((s) => LINKED_STATUSES.has(s.status));
    const linkUrl = live ? await buyerLinkOf(shop, order.customerId) : null;
    const shopLink =
      linkUrl === null
        ? null
        : {
            url: linkUrl,
            version: await subscriptionLinkVersionOf(shop, order.customerId),
            qr: await qrDataUrl(linkUrl),
            apps: await appButtonsOf(shop, order.customerId),
          };
    const used = await shop.storage.discounts.getRedemption(orderPurchaseKey(order.id));
    const code = used === null ? null : await shop.storage.discounts.get(used.codeId);
    const discount = used === null || code === null ? null : { code: code.code, amount: used.discount };
    const view = {
      order,
      subscriptions,
      planNames: names,
      serverDown,
      timeZone: shop.config.timeZone,
      notice: noticeFrom(req),
      shopLink,
      discount,
    };
    res.send(orderPage(ctxOf(res), view).value);
  });
  return router;
}
