import { Router } from 'express';
import { z } from 'zod';
import { requireAccount } from '../../http/viewer.js';
import { ID_PATTERN } from '../../app/input/ids.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { parseOrThrow } from '../../app/input/forms.js';
import { ShopError } from '../../app/shop-error.js';
import type { RateLimits } from '../../http/rate-limits.js';
import { formatDateTime, formatMoney } from '../../i18n/format.js';
import type { Locale } from '../../i18n/locales.js';
import type { Shop } from '../../app/shop.js';
import { IdempotencyKeySchema } from '../../app/subscriptions/idempotency.js';
import { setBuyerAutoRenew } from '../../app/subscriptions/auto-renew.js';
import { ownedOrder, ownedSubscription } from '../../app/subscriptions/owned.js';
import { buyerLinkOf } from '../../app/subscriptions/buyer-link.js';
import type { Refusal } from '../../app/subscriptions/refusals.js';
import { buyPlansFor, quotePlansFor } from '../../app/selling/buy-plans.js';
import { discountJson, orderJson, planJson, quoteJson, subscriptionJson } from './serialize.js';
import { plansOnSaleTo } from '../../app/selling/buyer-prices.js';
import { localizedPlans } from '../../db/plan-texts.js';
import { withBrandPlanNames } from '../../app/storefront-bots/brand-texts.js';
import { extendFor } from '../../app/subscriptions/extend.js';
import { ChoiceField, LocationField } from '../../app/selling/location-input.js';
import { kindBundleOf } from '../../app/kinds/kind-bundle.js';
import { bundleExtensionJson, bundleQuoteJson } from './bundle-extension-json.js';

/** A discount code as typed; the engine judges it (a refusal names the `discountCode` field). */
const DiscountCodeField = z.string({ message: 'forms.invalid' }).trim().max(60, { message: 'discounts.reasons.unknown_code' }).optional();

/** `POST /api/v1/checkout`'s body. */
export const CheckoutBody = z.strictObject({
  items: z
    .array(
      z.strictObject({
        planId: z.string().regex(ID_PATTERN, { message: 'forms.invalid' }),
        quantity: z.number({ message: 'forms.wholeNumber' }).int({ message: 'forms.wholeNumber' }).min(1).max(10),
        trial: z.boolean({ message: 'forms.invalid' }).optional(),
        autoRenew: z.boolean({ message: 'forms.invalid' }).optional(),
        /** A plan the buyer composes: the parts chosen (see `POST /api/v1/plans/:id/quote`). */
        choice: ChoiceField.optional(),
        /** A fixed plan pinned to one of its locations (see `GET /api/v1/plans/:id/locations`). */
        location: LocationField.optional(),
      }),
      { message: 'forms.required' },
    )
    .min(1)
    .max(10),
  idempotencyKey: IdempotencyKeySchema,
  discountCode: DiscountCodeField,
});

/** `POST /api/v1/checkout/quote`'s body. */
export const QuoteBody = CheckoutBody.omit({ idempotencyKey: true });

/** `POST /api/v1/subscriptions/:id/extension`'s body. */
export const ExtendBody = z.strictObject({
  idempotencyKey: IdempotencyKeySchema,
  discountCode: DiscountCodeField,
  /** Keep a device pack's extra devices for the new period (priced in); without it they fall back to the plan's limit. */
  keepExtraDevices: z.boolean({ message: 'forms.invalid' }).optional(),
});

/** `POST /api/v1/subscriptions/:id/auto-renew`'s body. */
export const AutoRenewBody = z.strictObject({ enabled: z.boolean({ message: 'forms.invalid' }) });

/** A page of a list: `limit` (1–100) and the `cursor` the previous page gave. */
export const PageQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { message: 'forms.wholeNumber' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional(),
  cursor: z.string().max(512).optional(),
});

/** `GET /api/v1/subscriptions`' query. */
export const ListQuery = PageQuery;

/** `GET /api/v1/subscriptions/:id/extension`'s query: a discount code to price in. */
export const ExtensionQuery = z.object({ discountCode: z.string().max(60).optional() });

/** `GET /api/v1/sales`' query: days of the shop's time zone, both included (`YYYY-MM-DD`, or Jalali in Farsi). */
export const SalesQuery = z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() });

/**
 * The JSON API for bots and other front ends: a Bearer `pk_…` token (no CSRF) or the browser
 * session with `x-csrf-token`. Plans are public, like the catalog; everything else is the caller's own.
 */
export function apiV1Routes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  /** A refusal as a JSON error (the error handler answers `{error:{code,message,fields}}`). */
  const refused = (refusal: Refusal, t: (k: string, p?: Record<string, string | number>) => string, locale: Locale): ShopError => {
    const params: Record<string, string | number> = {};
    if (refusal.funds) {
      params['balance'] = formatMoney({ amount: refusal.funds.balance, currency: refusal.funds.currency }, locale);
      params['total'] = formatMoney({ amount: refusal.funds.required, currency: refusal.funds.currency }, locale);
    }
    if (refusal.opensAt) params['opensAt'] = formatDateTime(refusal.opensAt, locale, shop.config.timeZone);
    return new ShopError(refusal.code, refusal.key, params, refusal.field ? { [refusal.field]: t(refusal.key) } : {});
  };

  router.get('/api/v1/plans', async (_req, res) => {
    // Public; a signed-in reseller (its token or session) gets the prices it buys at, a storefront's buyer (or a
    // visitor on its host) its menu at retail, in the caller's language.
    const ctx = ctxOf(res);
    const plans = await plansOnSaleTo(
      shop,
      { customerId: ctx.viewer?.customer.id ?? null, storefrontId: ctx.storefront?.id ?? null },
      await shop.storage.plans.list({ onSale: true }),
    );
    const named = withBrandPlanNames(await localizedPlans(shop, plans, ctx.locale), ctx.storefront?.planNames, ctx.locale);
    res.json({ items: named.map(planJson) });
  });

  router.use('/api/v1', requireAccount);

  const codeOf = (code: string | undefined) => (code === undefined || code === '' ? {} : { discountCode: code });
  const itemsOf = (items: z.output<typeof CheckoutBody>['items']) =>
    items.map((i) => ({
      planId: i.planId,
      quantity: i.quantity,
      trial: i.trial ?? false,
      autoRenew: i.autoRenew ?? false,
      choice: i.choice,
      location: i.location,
    }));

  router.post('/api/v1/checkout/quote', async (req, res) => {
    const ctx = ctxOf(res);
    const body = parseOrThrow(QuoteBody, req.body, ctx.t);
    const quoted = await quotePlansFor(shop, viewerOf(res).customer.id, { items: itemsOf(body.items), discountCode: body.discountCode });
    if (!quoted.ok) throw refused(quoted.refusal, ctx.t, ctx.locale);
    const { quote } = quoted;
    res.json({ subtotal: quote.subtotal, total: quote.total, discount: discountJson(quote.discount, ctx.t) });
  });

  router.post('/api/v1/checkout', limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const body = parseOrThrow(CheckoutBody, req.body, ctx.t);
    const bought = await buyPlansFor(shop, viewer.customer.id, {
      items: itemsOf(body.items),
      idempotencyKey: body.idempotencyKey,
      discountCode: body.discountCode,
    });
    if (!bought.ok) throw refused(bought.refusal, ctx.t, ctx.locale);
    const { result } = bought;
    const discount = result.discount === null ? null : { code: result.discount.code, amount: result.discount.discount };
    res
      .status(result.replayed ? 200 : 201)
      .json({ replayed: result.replayed, discount, order: orderJson(result.order, result.subscriptions) });
  });

  router.get('/api/v1/orders/:id', async (req, res) => {
    const order = await ownedOrder(shop, viewerOf(res), req.params.id);
    res.json(orderJson(order, await shop.storage.subscriptions.listByOrder(order.id)));
  });

  router.get('/api/v1/subscriptions', async (req, res) => {
    const query = parseOrThrow(ListQuery, req.query, ctxOf(res).t);
    const page = await shop.storage.subscriptions.listByCustomer(viewerOf(res).customer.id, {
      limit: query.limit ?? 50,
      cursor: query.cursor ?? null,
    });
    res.json({ items: page.items.map((s) => subscriptionJson(s, {})), nextCursor: page.nextCursor });
  });

  router.get('/api/v1/subscriptions/:id', async (req, res) => {
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    res.json(
      subscriptionJson(sub, { link: await buyerLinkOf(shop, sub.customerId), changeInProgress: await shop.kit.changeInFlight(sub.id) }),
    );
  });

  router.post('/api/v1/subscriptions/:id/auto-renew', async (req, res) => {
    const body = parseOrThrow(AutoRenewBody, req.body, ctxOf(res).t);
    const outcome = await setBuyerAutoRenew(shop, viewerOf(res).customer.id, req.params.id, body.enabled);
    if (!outcome.ok)
      throw outcome.reason === 'not_found'
        ? new ShopError('not_found', 'errors.notFound')
        : new ShopError('conflict', `subscription.autoRenewRefused.${outcome.reason}`);
    res.json(subscriptionJson(outcome.subscription, {}));
  });

  router.get('/api/v1/subscriptions/:id/extension', async (req, res) => {
    const ctx = ctxOf(res);
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    const code = parseOrThrow(ExtensionQuery, req.query, ctx.t).discountCode ?? '';
    const parts = await kindBundleOf(shop, sub);
    if (parts !== null) {
      // A bundle of kinds is extended whole and takes no code: one sent is refused on its field.
      if (code !== '')
        throw new ShopError('conflict', 'kinds.extension.noDiscount', {}, { discountCode: ctx.t('kinds.extension.noDiscount') });
      return void res.json(await bundleQuoteJson(shop, ctx, sub.id, parts));
    }
    const quote = await shop.kit.quoteExtension(sub.id, codeOf(code));
    const message = quote.allowed
      ? null
      : ctx.t(
          `extension.reasons.${quote.reason}`,
          quote.details.opensAt ? { opensAt: formatDateTime(quote.details.opensAt, ctx.locale, shop.config.timeZone) } : {},
        );
    res.json({
      ...quoteJson(quote, message),
      discount: discountJson(quote.discount, ctx.t),
      extraDevices: quote.extraDevices,
      changeInProgress: await shop.kit.changeInFlight(sub.id),
    });
  });

  router.post('/api/v1/subscriptions/:id/extension', limits.checkout, async (req, res) => {
    const ctx = ctxOf(res);
    const viewer = viewerOf(res);
    const sub = await ownedSubscription(shop, viewer, req.params.id);
    const body = parseOrThrow(ExtendBody, req.body, ctx.t);
    const extended = await extendFor(shop, viewer.customer.id, sub.id, {
      idempotencyKey: body.idempotencyKey,
      discountCode: body.discountCode,
      keepExtraDevices: body.keepExtraDevices,
    });
    if (!extended.ok) throw refused(extended.refusal, ctx.t, ctx.locale);
    const { result } = extended;
    if (extended.bundle !== null)
      return void res.status(result.replayed ? 200 : 202).json(await bundleExtensionJson(shop, result, extended.bundle));
    res.status(result.replayed ? 200 : 202).json({
      replayed: result.replayed,
      discount: result.discount === null ? null : { code: result.discount.code, amount: result.discount.discount },
      linkChanges: result.linkChanges,
      keptDevices: result.keptDevices,
      charged: result.entry === null ? null : { amount: -result.entry.amount, currency: result.entry.currency },
      newExpiresAt: result.quote?.newExpiresAt.toISOString() ?? null,
      subscription: subscriptionJson(result.subscription, { changeInProgress: await shop.kit.changeInFlight(sub.id) }),
    });
  });
  return router;
}
