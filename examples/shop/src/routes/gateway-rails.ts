import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { paymentsOf } from '../app/payments/records.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { ShopError } from '../app/shop-error.js';
import { idParam } from '../app/input/ids.js';
import { amountSchema } from '../app/payments/amount.js';
import { gatewayBase } from '../config/public-addresses.js';
import { isGatewayRail, railOffered, type GatewayRail } from '../app/payments/rails/gateway-rails.js';
import { gatewayTopUpOutcome, startGatewayTopUp, type StartedGatewayTopUp } from '../app/payments/rails/start-gateway-top-up.js';
import {
  handleCryptoBotWebhook,
  handleEpayNotify,
  handleStripeWebhook,
  handleYooKassaNotification,
} from '../app/payments/rails/gateway-webhook.js';
import { REQUEST_KEY_PATTERN } from '../app/payments/provider.js';
import type { Shop } from '../app/shop.js';
import { gatewayBackToBotPage, gatewayPayPage } from '../views/gateway-rail-pages.js';
import { qrDataUrl } from '../views/qr-code.js';

const textOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The rail named in the path, or a 404. */
function railParam(req: Request): GatewayRail {
  const rail = String(req.params['rail'] ?? '');
  if (!isGatewayRail(rail)) throw new ShopError('not_found', 'errors.notFound');
  return rail;
}

function queryOf(req: Request): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

/**
 * Crypto Pay's webhook, mounted before the session, CSRF and body layers: its signature is over the raw body,
 * so the body is read raw here. A forged one is 401 and changes nothing; one Crypto Pay cannot confirm yet is 503
 * (it retries); a checked one is applied by the SDK, which credits at most once however often it comes, and is
 * answered 200 even when it names no payment of this shop.
 */
export function gatewayWebhookRoutes(shop: Shop): Router {
  const router = Router();
  router.post('/payments/cryptobot/webhook', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const handled = await handleCryptoBotWebhook(shop, raw, req.get('crypto-pay-api-signature'));
    if (handled.status === 'forged') return void res.status(401).json({ error: 'bad signature' });
    if (handled.status === 'retry') return void res.status(503).json({ error: 'try again' });
    // An invoice the shop did not make (the app's token used elsewhere too) is acknowledged all the same: Crypto Pay
    // retries an unanswered webhook for days and then turns the app's webhooks off.
    res.status(200).json({ outcome: handled.result.outcome });
  });
  // EPay notifies by GET (some gateways POST a form): answered in plain text, exactly `success` when it may stop.
  const epayNotify = async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? Object.fromEntries(new URLSearchParams(req.body.toString('utf8'))) : {};
    const handled = await handleEpayNotify(shop, queryOf(req), body);
    const status = { credited: 200, acknowledged: 200, refused: 409, forged: 401, retry: 503 }[handled.status];
    res.status(status).type('text/plain').send(handled.answer);
  };
  router.get('/payments/epay/notify', epayNotify);
  // YooKassa's notifications: a payment it does not know is refused (400); one it cannot be asked about yet is 503
  // (YooKassa retries for a day); anything applied, even a payment of another shop, is acknowledged.
  router.post('/payments/yookassa/notify', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const handled = await handleYooKassaNotification(shop, raw);
    if (handled.status === 'forged') return void res.status(400).json({ error: 'not a payment of YooKassa' });
    if (handled.status === 'retry') return void res.status(503).json({ error: 'try again' });
    res.status(200).json({ outcome: handled.result.outcome });
  });
  // Stripe's webhooks: a bad signature is refused (400); one Stripe cannot be asked about yet is 503 (Stripe retries);
  // anything applied is acknowledged.
  router.post('/payments/stripe/webhook', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    // The exact bytes: Stripe signs them, and a re-encoded text would not verify.
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const handled = await handleStripeWebhook(shop, raw, req.get('stripe-signature'));
    if (handled.status === 'forged') return void res.status(400).json({ error: 'not signed by Stripe' });
    if (handled.status === 'retry') return void res.status(503).json({ error: 'try again' });
    res.status(200).json({ outcome: handled.result.outcome });
  });
  router.post('/payments/epay/notify', express.raw({ type: () => true, limit: '16kb' }), epayNotify);
  return router;
}

const TopUpForm = z.object({
  idempotencyKey: z.string().regex(REQUEST_KEY_PATTERN, { message: 'wallet.errors.formExpired' }),
  method: z.string().max(40).optional(),
  saveMethod: z.union([z.literal('on'), z.boolean()]).optional(),
});

/** A started top-up's refusal as the shop's typed error (the same on the web and the JSON API). */
export function refusalOf(started: Extract<StartedGatewayTopUp, { ok: false }>): ShopError {
  if (started.reason === 'not_offered') return new ShopError('not_found', 'errors.notFound');
  if (started.reason === 'too_many_pending') return new ShopError('too_many_requests', 'wallet.errors.tooManyPending');
  if (started.reason === 'key_reused') return new ShopError('conflict', 'wallet.errors.formExpired');
  if (started.reason === 'bad_method') return new ShopError('invalid_input', 'payRails.gateway.pickMethod');
  if (started.reason === 'gateway_misconfigured') return new ShopError('unavailable', 'payRails.gateway.misconfigured');
  return new ShopError('unavailable', 'payRails.gateway.unavailable');
}

/** The buyer's top-up request, checked: its amount in the shop's currency, its form key and the way to pay picked; bad input is a 400. */
export function parseGatewayTopUp(
  shop: Shop,
  body: unknown,
): { amount: number; requestKey: string; method: string | null; saveMethod: boolean } {
  const form = TopUpForm.safeParse(body);
  const amount = amountSchema(shop.config.currency).safeParse((body as { amount?: unknown } | null)?.amount);
  if (!form.success || !amount.success)
    throw new ShopError(
      'invalid_input',
      amount.success ? 'wallet.errors.formExpired' : (amount.error.issues[0]?.message ?? 'wallet.errors.amountZero'),
    );
  return {
    amount: amount.data,
    requestKey: form.data.idempotencyKey,
    method: form.data.method ?? null,
    saveMethod: form.data.saveMethod === 'on' || form.data.saveMethod === true,
  };
}

/** The buyer's side of the gateway rails on the web: start a top-up, see its page, come back from the gateway. */
export function gatewayRailRoutes(shop: Shop): Router {
  const router = Router();

  router.post('/wallet/pay/:rail', requireAccount, async (req, res) => {
    const rail = railParam(req);
    const input = parseGatewayTopUp(shop, req.body);
    const started = await startGatewayTopUp(shop, {
      rail,
      customerId: viewerOf(res).customer.id,
      ...input,
      base: gatewayBase(shop.config),
      from: 'web',
    });
    if (!started.ok) throw refusalOf(started);
    // The gateway's page is opened by a link from our own: the CSP's form-action keeps form posts on this origin.
    res.redirect(303, `/wallet/pay/${rail}/${started.payment.id}`);
  });

  const ownPayment = async (req: Request, customerId: string | null) => {
    const rail = railParam(req);
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.provider !== rail || (customerId !== null && payment.customerId !== customerId))
      throw new ShopError('not_found', 'errors.notFound');
    return { rail, payment };
  };

  router.get('/wallet/pay/:rail/:id', requireAccount, async (req, res) => {
    const { rail, payment } = await ownPayment(req, viewerOf(res).customer.id);
    const details = payment.details as Record<string, unknown>;
    const payUrl = textOf(details['redirectUrl']);
    const qrCode = details['qrCode'];
    const shown = (await railOffered(shop, rail)) ? payUrl : null;
    const qr = shown !== null && typeof qrCode === 'string' && payment.status === 'pending' ? await qrDataUrl(qrCode) : null;
    res.send(gatewayPayPage(ctxOf(res), rail, payment, shown, qr).value);
  });

  router.get('/wallet/pay/:rail/:id/return', requireAccount, async (req, res) => {
    const { payment } = await ownPayment(req, viewerOf(res).customer.id);
    res.redirect(303, `/wallet?done=payRails.${await gatewayTopUpOutcome(shop, payment.id, queryOf(req))}`);
  });

  // A buyer who paid from the bot comes back here: no sign-in (they may have no web account). The page says
  // only what became of the payment; the bot tells them the rest.
  router.get('/wallet/pay/:rail/:id/back-to-bot', async (req, res) => {
    const { rail, payment } = await ownPayment(req, null);
    res.send(gatewayBackToBotPage(ctxOf(res), rail, await gatewayTopUpOutcome(shop, payment.id, queryOf(req))).value);
  });
  return router;
}
