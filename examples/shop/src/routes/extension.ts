import type { Subscription } from '@panelkit/sdk';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { parseForm, type FieldErrors } from '../app/input/forms.js';
import type { RateLimits } from '../http/rate-limits.js';
import { formatMoney } from '../i18n/format.js';
import type { Shop } from '../app/shop.js';
import { IdempotencyKeySchema, newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { ownedSubscription } from '../app/subscriptions/owned.js';
import type { Refusal } from '../app/subscriptions/refusals.js';
import { extensionPage } from '../views/extension-page.js';
import { planName } from '../app/subscriptions/plan-names.js';
import { walletRoom } from '../app/selling/buyer-prices.js';
import { httpStatusOf } from '../http/status.js';
import { extendFor } from '../app/subscriptions/extend.js';
import { kindBundleOf } from '../app/kinds/kind-bundle.js';
import { bundleExtensionPage } from '../views/bundle-extension-page.js';

const ExtendForm = z.object({
  idempotencyKey: IdempotencyKeySchema,
  discountCode: z.string().trim().max(60, { message: 'discounts.reasons.unknown_code' }).optional(),
  /** `apply`: show the quote with the code, charge nothing. */
  intent: z.enum(['apply', 'pay']).optional(),
  /** Present (a checked box): keep a device pack's extra devices for the new period. */
  keepExtraDevices: z.literal('on').optional(),
});

export function extensionRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  /** The page with a fresh quote (an extension's terms move with the clock and the usage). */
  const render = async (
    res: Response,
    status: number,
    sub: Subscription,
    idempotencyKey: string,
    errors?: FieldErrors,
    refusal?: Refusal,
    discountCode = '',
  ) => {
    const ctx = ctxOf(res);
    const [quote, plan, inFlight] = await Promise.all([
      shop.kit.quoteExtension(sub.id, discountCode === '' ? {} : { discountCode }),
      shop.storage.plans.get(sub.planId),
      shop.kit.changeInFlight(sub.id),
    ]);
    // A refused code is said on the code's field.
    if (quote.discount !== null && !quote.discount.allowed && errors?.['discountCode'] === undefined) {
      errors = { ...errors, discountCode: ctx.t(`discounts.reasons.${quote.discount.reason}`) };
      if (status === 200) status = 409;
    }
    const currency = quote.allowed ? quote.quote.price.currency : (plan?.price.currency ?? shop.config.currency);
    const { balance, creditLimit } = await walletRoom(shop, sub.customerId, currency);
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
    res.status(status).send(
      extensionPage(ctx, {
        sub,
        planName: await planName(shop, sub.planId, ctx.locale, ctx.storefront?.planNames),
        quote,
        balance,
        creditLimit,
        changeInFlight: inFlight,
        idempotencyKey,
        errors,
        problem,
        timeZone: shop.config.timeZone,
        now: shop.clock.now(),
        discountCode,
      }).value,
    );
  };

  /** A bundle of kinds' page: every part's quote and their total, no code field; a code sent anyway is refused on it. */
  const renderBundle = async (
    res: Response,
    status: number,
    sub: Subscription,
    parts: Subscription[],
    idempotencyKey: string,
    refused: { codeRefused?: string; problem?: { message: string; topUp: boolean } } = {},
  ) => {
    const ctx = ctxOf(res);
    const [quote, inFlight] = await Promise.all([
      shop.kit.quoteBundleExtension(sub.id),
      Promise.all(parts.map((part) => shop.kit.changeInFlight(part.id))).then((flags) => flags.some(Boolean)),
    ]);
    const currency = quote.allowed ? quote.total.currency : shop.config.currency;
    const { balance } = await walletRoom(shop, sub.customerId, currency);
    res.status(status).send(
      bundleExtensionPage(ctx, {
        subscriptionId: sub.id,
        planName: await planName(shop, sub.planId, ctx.locale, ctx.storefront?.planNames),
        quote,
        balance,
        changeInFlight: inFlight,
        idempotencyKey,
        codeRefused: refused.codeRefused ?? null,
        problem: refused.problem ?? null,
        timeZone: shop.config.timeZone,
      }).value,
    );
  };

  router.get('/subscriptions/:id/extend', requireAccount, async (req, res) => {
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    const parts = await kindBundleOf(shop, sub);
    if (parts !== null) return renderBundle(res, 200, sub, parts, newIdempotencyKey());
    await render(res, 200, sub, newIdempotencyKey());
  });

  router.post('/subscriptions/:id/extend', requireAccount, limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const form = parseForm(ExtendForm, req.body, ctx.t);
    if (!form.ok) return render(res, 400, sub, newIdempotencyKey(), { _form: ctx.t('extension.formExpired') });
    const discountCode = form.data.discountCode ?? '';
    const parts = await kindBundleOf(shop, sub);
    if (parts !== null) return extendBundleForm(res, sub, parts, viewer.customer.id, form.data);
    if (form.data.intent === 'apply') return render(res, 200, sub, form.data.idempotencyKey, undefined, undefined, discountCode);
    const keepExtraDevices = form.data.keepExtraDevices === 'on';
    const extended = await extendFor(shop, viewer.customer.id, sub.id, {
      idempotencyKey: form.data.idempotencyKey,
      discountCode,
      keepExtraDevices,
    });
    if (extended.ok) return res.redirect(303, `/subscriptions/${sub.id}?done=subscription.extended`);
    const { refusal } = extended;
    // A refused quote shows itself on the fresh page; the other refusals are said above the form.
    const errors = refusal.field === undefined ? undefined : { [refusal.field]: ctx.t(refusal.key) };
    await render(
      res,
      httpStatusOf(refusal.code),
      sub,
      form.data.idempotencyKey,
      errors,
      // A storefront's refusal (suspended, over quota, the reseller's credit) is not the quote's: said above the form too.
      refusal.reason === 'insufficient_funds' ||
        refusal.reason === 'change_in_progress' ||
        refusal.reason === 'conflict' ||
        refusal.key.startsWith('storefronts.refusals.')
        ? refusal
        : undefined,
      discountCode,
    );
  });

  /** A bundle of kinds' POST: every part extended as one purchase; a code sent anyway is refused, nothing charged. */
  const extendBundleForm = async (
    res: Response,
    sub: Subscription,
    parts: Subscription[],
    customerId: string,
    data: z.output<typeof ExtendForm>,
  ) => {
    const ctx = ctxOf(res);
    const extended = await extendFor(shop, customerId, sub.id, {
      idempotencyKey: data.idempotencyKey,
      discountCode: data.discountCode,
      keepExtraDevices: data.keepExtraDevices === 'on',
    });
    if (extended.ok) return res.redirect(303, `/subscriptions/${sub.id}?done=subscription.extended`);
    const { refusal } = extended;
    const message = ctx.t(
      refusal.key,
      refusal.funds
        ? {
            balance: formatMoney({ amount: refusal.funds.balance, currency: refusal.funds.currency }, ctx.locale),
            total: formatMoney({ amount: refusal.funds.required, currency: refusal.funds.currency }, ctx.locale),
          }
        : {},
    );
    const refused =
      refusal.field === 'discountCode'
        ? { codeRefused: message }
        : { problem: { message, topUp: refusal.reason === 'insufficient_funds' } };
    await renderBundle(res, httpStatusOf(refusal.code), sub, parts, data.idempotencyKey, refused);
  };
  return router;
}
