import type { Withdrawal } from '@panelkit/sdk/storefronts';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ctxOf, viewerOf } from '../http/context.js';
import { noticeFrom } from '../http/notice.js';
import { httpStatusOf } from '../http/status.js';
import { requireAccount } from '../http/viewer.js';
import { asciiDigits } from '../app/input/digits.js';
import type { FieldErrors } from '../app/input/forms.js';
import { idParam } from '../app/input/ids.js';
import { ShopError } from '../app/shop-error.js';
import type { Shop } from '../app/shop.js';
import { askWithdrawal } from '../app/storefronts/ask-withdrawal.js';
import { backOffice, type BackOffice } from '../app/storefronts/back-office.js';
import { storefrontBrands } from '../app/storefront-bots/brand.js';
import type { BotHealthSource } from '../app/storefronts/bot-health.js';
import { broadcastToBuyers, MAX_BROADCAST_TEXT } from '../app/storefronts/broadcast-to-buyers.js';
import { ownStorefront } from '../app/storefronts/own-storefront.js';
import { sellsAtOnePrice } from '../app/plans/one-price.js';
import { setMenu } from '../app/storefronts/set-menu.js';
import { newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { minorDigits, parseMajorAmount } from '../i18n/format.js';
import { retailField, storefrontOfficePage } from '../views/storefront-office-page.js';

/** `POST /api/v1/storefront/menu`'s body: retail prices in minor units; `null` stops selling the plan. */
export const MenuBody = z.strictObject({
  items: z
    .array(
      z.strictObject({ planId: z.string().min(1).max(128), retailPrice: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable() }),
    )
    .min(1)
    .max(500),
});
/** `POST /api/v1/storefront/withdrawals`' body: an amount of the payout balance in minor units. */
export const WithdrawalBody = z.strictObject({
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  destination: z.string().trim().min(1).max(500),
  idempotencyKey: z.string().min(8).max(100),
});
/** `POST /api/v1/storefront/broadcasts`' body. */
export const BroadcastBody = z.strictObject({
  text: z.string().trim().min(1).max(MAX_BROADCAST_TEXT),
  idempotencyKey: z.string().min(8).max(100),
});

/** A withdrawal as the JSON API gives it to its reseller. */
function withdrawalJson(w: Withdrawal) {
  return {
    id: w.id,
    amount: w.amount,
    status: w.status,
    destination: w.destination,
    reason: w.reason,
    reference: w.reference,
    requestedAt: w.requestedAt.toISOString(),
    decidedAt: w.decidedAt?.toISOString() ?? null,
    paidAt: w.paidAt?.toISOString() ?? null,
  };
}

/** The back office as the JSON API gives it: the caller's own storefront and nothing else. */
function officeJson(office: BackOffice) {
  return {
    storefront: {
      id: office.storefront.id,
      name: office.storefront.name,
      status: office.storefront.status,
      quotas: office.storefront.quotas,
    },
    currency: office.currency,
    month: {
      from: office.monthFrom,
      sales: office.month.sales,
      refunds: office.month.refunds,
      retail: office.month.retail,
      wholesale: office.month.wholesale,
      margin: office.month.margin,
      bonus: office.month.bonus,
      collected: office.month.collected,
      payoutsPaid: office.month.payoutsPaid,
      payoutsWaiting: office.month.payoutsWaiting,
    },
    payoutBalance: office.payoutBalance,
    held: office.held,
    buyers: office.buyerCount,
    bot: office.bot,
  };
}

/** A form's text field, `''` when absent. */
function text(body: unknown, name: string, max: number): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** A typed amount in minor units: `null` for blank, `undefined` when it is not an amount. */
function typedAmount(value: string, currency: string): number | null | undefined {
  const typed = asciiDigits(value).replace('\u066B', '.').trim();
  if (typed === '') return null;
  return typed.length > 40 ? undefined : (parseMajorAmount(typed, currency) ?? undefined);
}

/**
 * A reseller's back office on the web (`/account/storefront`) and the JSON API (`/api/v1/storefront…`, with its
 * token): its menu, buyers, sales and margin, payout balance and withdrawals, a broadcast to its own buyers, and its
 * bot's health. Every route finds the storefront from the signed-in customer (no storefront id is ever taken from
 * the request), so another reseller's storefront cannot be named; a customer who runs none gets 404.
 */
export function storefrontOfficeRoutes(shop: Shop, options: { botHealth?: BotHealthSource | null } = {}): Router {
  const router = Router();
  const botHealth = options.botHealth ?? null;
  const { currency, timeZone } = shop.config;
  const majorText = (amount: number) => {
    const digits = minorDigits(currency);
    if (digits === 0) return String(amount);
    const padded = String(amount).padStart(digits + 1, '0');
    return `${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
  };
  const customerOf = (res: Response) => viewerOf(res).customer.id;

  async function render(req: Request, res: Response, status: number, typed?: { values: Record<string, string>; error: ShopError }) {
    const office = await backOffice(shop, customerOf(res), botHealth);
    const ctx = ctxOf(res);
    let errors: FieldErrors | undefined;
    if (typed !== undefined) {
      errors = { _form: ctx.t(typed.error.messageKey, typed.error.params) };
      for (const [name, key] of Object.entries(typed.error.fields)) errors[name] = ctx.t(key);
    }
    const forms = {
      values: typed?.values ?? {},
      ...(errors === undefined ? {} : { errors }),
      withdrawalKey: typed?.values['idempotencyKey'] ?? newIdempotencyKey(),
      broadcastKey: newIdempotencyKey(),
      notice: typed === undefined ? noticeFrom(req) : null,
      timeZone,
      majorText,
      brand: await storefrontBrands(shop).get(office.storefront.id),
    };
    res.status(status).send(storefrontOfficePage(ctx, office, forms).value);
  }

  /** Runs a form's use case; a refusal shows the page again with the form as typed, and the status it deserves. */
  async function formAction(
    req: Request,
    res: Response,
    values: Record<string, string>,
    action: () => Promise<void>,
    done: `done=${string}`,
  ) {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof ShopError) || error.code === 'not_found' || error.code === 'forbidden') throw error;
      return render(req, res, httpStatusOf(error.code), { values, error });
    }
    res.redirect(303, `/account/storefront?${done}`);
  }

  router.get('/account/storefront', requireAccount, (req, res) => render(req, res, 200));

  router.post('/account/storefront/menu', requireAccount, async (req, res) => {
    const customerId = customerOf(res);
    await ownStorefront(shop, customerId);
    // The menu form's plans (`backOffice`): a plan the buyer composes has no retail field.
    const plans = (await shop.storage.plans.list({ onSale: true })).filter((p) => p.price.currency === currency && sellsAtOnePrice(p));
    const values: Record<string, string> = {};
    const prices = new Map<string, number | null>();
    let bad: string | null = null;
    for (const plan of plans) {
      const name = retailField(plan.id);
      values[name] = text(req.body, name, 40);
      const amount = typedAmount(values[name], currency);
      if (amount === undefined) bad ??= name;
      else prices.set(plan.id, amount);
    }
    if (bad !== null)
      return render(req, res, 400, { values, error: new ShopError('invalid_input', 'forms.amount', {}, { [bad]: 'forms.amount' }) });
    await formAction(req, res, values, () => setMenu(shop, customerId, prices), 'done=storefronts.menu');
  });

  router.post('/account/storefront/withdrawals', requireAccount, async (req, res) => {
    const values = {
      amount: text(req.body, 'amount', 40),
      destination: text(req.body, 'destination', 600),
      idempotencyKey: text(req.body, 'idempotencyKey', 100),
    };
    const amount = typedAmount(values.amount, currency);
    if (amount === undefined || amount === null) {
      await ownStorefront(shop, customerOf(res));
      return render(req, res, 400, { values, error: new ShopError('invalid_input', 'forms.amount', {}, { amount: 'forms.amount' }) });
    }
    await formAction(
      req,
      res,
      values,
      async () =>
        void (await askWithdrawal(shop, customerOf(res), {
          amount,
          destination: values.destination,
          idempotencyKey: values.idempotencyKey,
        })),
      'done=storefronts.withdrawal',
    );
  });

  router.post('/account/storefront/broadcasts', requireAccount, async (req, res) => {
    const values = { text: text(req.body, 'text', MAX_BROADCAST_TEXT + 100) };
    await formAction(
      req,
      res,
      values,
      async () =>
        void (await broadcastToBuyers(shop, customerOf(res), { text: values.text, idempotencyKey: text(req.body, 'idempotencyKey', 100) })),
      'done=storefronts.broadcast',
    );
  });

  router.get('/api/v1/storefront', requireAccount, async (_req, res) => {
    res.json(officeJson(await backOffice(shop, customerOf(res), botHealth)));
  });

  router.get('/api/v1/storefront/menu', requireAccount, async (_req, res) => {
    const office = await backOffice(shop, customerOf(res), botHealth);
    res.json({
      items: office.menu.map((row) => ({
        planId: row.plan.id,
        name: row.plan.name,
        wholesalePrice: row.wholesale,
        retailPrice: row.retail,
      })),
    });
  });

  router.post('/api/v1/storefront/menu', requireAccount, async (req, res) => {
    const customerId = customerOf(res);
    await ownStorefront(shop, customerId);
    const body = MenuBody.safeParse(req.body ?? {});
    if (!body.success) throw new ShopError('invalid_input', 'errors.invalidInput');
    await setMenu(shop, customerId, new Map(body.data.items.map((i) => [i.planId, i.retailPrice])));
    res.json({ ok: true });
  });

  router.get('/api/v1/storefront/buyers', requireAccount, async (_req, res) => {
    const office = await backOffice(shop, customerOf(res), botHealth);
    res.json({
      total: office.buyerCount,
      items: office.buyers.map((b) => ({
        id: b.customer.id,
        email: b.email,
        name: b.customer.name,
        since: b.customer.createdAt.toISOString(),
      })),
    });
  });

  router.get('/api/v1/storefront/withdrawals', requireAccount, async (_req, res) => {
    const office = await backOffice(shop, customerOf(res), botHealth);
    res.json({ items: office.withdrawals.map(withdrawalJson) });
  });

  router.get('/api/v1/storefront/withdrawals/:id', requireAccount, async (req, res) => {
    const customerId = customerOf(res);
    await ownStorefront(shop, customerId);
    const found = await shop.kit.payouts.get(idParam(req));
    // Another partner's withdrawal is answered as one that does not exist.
    if (found === null || found.partnerId !== customerId) throw new ShopError('not_found', 'errors.notFound');
    res.json(withdrawalJson(found));
  });

  router.post('/api/v1/storefront/withdrawals', requireAccount, async (req, res) => {
    const customerId = customerOf(res);
    await ownStorefront(shop, customerId);
    const body = WithdrawalBody.safeParse(req.body ?? {});
    if (!body.success) throw new ShopError('invalid_input', 'errors.invalidInput');
    const { withdrawal, created } = await askWithdrawal(shop, customerId, body.data);
    res.status(created ? 201 : 200).json(withdrawalJson(withdrawal));
  });

  router.post('/api/v1/storefront/broadcasts', requireAccount, async (req, res) => {
    const customerId = customerOf(res);
    await ownStorefront(shop, customerId);
    const body = BroadcastBody.safeParse(req.body ?? {});
    if (!body.success) throw new ShopError('invalid_input', 'errors.invalidInput');
    const queued = await broadcastToBuyers(shop, customerId, body.data);
    res.status(queued.created ? 202 : 200).json(queued);
  });
  return router;
}
