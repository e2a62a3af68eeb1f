import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { PaymentProviderUnavailableError, PaymentSignatureError } from '@panelkit/sdk';
import { paymentsOf } from '../app/payments/records.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { ShopError } from '../app/shop-error.js';
import { idParam } from '../app/input/ids.js';
import { amountSchema } from '../app/payments/amount.js';
import { gatewayBase } from '../config/public-addresses.js';
import { activeGateway } from '../app/payments/crypto/gateway-settings.js';
import { CRYPTO_PROVIDER } from '../app/payments/crypto/provider.js';
import { startCryptoInvoice } from '../app/payments/crypto/start-invoice.js';
import { REQUEST_KEY_PATTERN } from '../app/payments/provider.js';
import type { Shop } from '../app/shop.js';
import { cryptoBackToBotPage, cryptoInvoicePage } from '../views/crypto-invoice-page.js';
import { invoicePage } from '../views/invoice-page.js';

/** The gateway's question marks as query values, for the provider. */
function queryOf(req: Request): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

/**
 * The gateway's callback (IPN), mounted before the session and CSRF layers: it carries its own HMAC signature. The
 * SDK's crypto provider checks it (a forged or unsigned call is 401 and changes nothing) and asks the gateway itself
 * about the payment it names; `kit.payments` credits it at most once, whatever else confirmed it. 503 when the
 * gateway cannot be asked, so it retries.
 */
export function cryptoCallbackRoutes(shop: Shop): Router {
  const router = Router();
  router.post('/payments/crypto/ipn', express.json({ limit: '32kb' }), async (req, res) => {
    if ((await activeGateway(shop)) === null) throw new ShopError('not_found', 'errors.notFound');
    try {
      const settled = await shop.kit.payments.handleCallback(CRYPTO_PROVIDER, {
        headers: { 'x-nowpayments-sig': req.get('x-nowpayments-sig') },
        body: req.body,
        query: queryOf(req),
      });
      res.status(settled.outcome === 'unknown' ? 404 : 200).json({ outcome: settled.outcome });
    } catch (error) {
      if (PaymentSignatureError.is(error)) {
        res.status(401).json({ error: 'bad signature' });
        return;
      }
      if (!PaymentProviderUnavailableError.is(error)) throw error;
      shop.logger.warn({ err: error }, 'gateway callback could not be verified yet');
      res.status(503).json({ error: 'try again' });
    }
  });
  return router;
}

const InvoiceForm = z.object({
  idempotencyKey: z.string().regex(REQUEST_KEY_PATTERN, { message: 'wallet.errors.formExpired' }),
});

/** The buyer's side: start a crypto payment (an invoice on the gateway) and come back from it. */
export function cryptoPaymentRoutes(shop: Shop): Router {
  const router = Router();

  router.post('/wallet/crypto', requireAccount, async (req, res) => {
    if ((await activeGateway(shop)) === null) throw new ShopError('not_found', 'errors.notFound');
    const { customer } = viewerOf(res);
    const form = InvoiceForm.safeParse(req.body);
    const amount = amountSchema(shop.config.currency).safeParse((req.body as { amount?: unknown }).amount);
    if (!form.success || !amount.success)
      throw new ShopError(
        'invalid_input',
        amount.success ? 'wallet.errors.formExpired' : (amount.error.issues[0]?.message ?? 'wallet.errors.amountZero'),
      );
    const started = await startCryptoInvoice(shop, {
      customerId: customer.id,
      amount: amount.data,
      requestKey: form.data.idempotencyKey,
      base: gatewayBase(shop.config),
      from: 'web',
    });
    if (!started.ok && started.reason === 'too_many_pending') throw new ShopError('too_many_requests', 'wallet.errors.tooManyPending');
    if (!started.ok && started.reason === 'key_reused') throw new ShopError('conflict', 'wallet.errors.formExpired');
    if (!started.ok) throw new ShopError('unavailable', 'wallet.crypto.unavailable');
    // The gateway's page is opened by a link from our own: the CSP's form-action keeps form posts on this origin.
    res.redirect(303, `/wallet/crypto/${started.payment.id}`);
  });

  router.get('/wallet/crypto/:id', requireAccount, async (req, res) => {
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.customerId !== viewerOf(res).customer.id || payment.provider !== CRYPTO_PROVIDER)
      throw new ShopError('not_found', 'errors.notFound');
    res.send(cryptoInvoicePage(ctxOf(res), payment).value);
  });

  /** Asks the gateway about the payment (never trusting the query) and names the outcome's message. */
  const outcomeOf = async (paymentId: string, req: Request): Promise<string> => {
    const settled = await shop.kit.payments.verify(paymentId, queryOf(req)).catch((error: unknown) => {
      if (PaymentProviderUnavailableError.is(error)) return null;
      throw error;
    });
    const outcome = settled?.outcome;
    return outcome === 'credited' || outcome === 'already_credited'
      ? 'wallet.crypto_credited'
      : outcome === 'rejected' || outcome === 'expired'
        ? 'wallet.crypto_failed'
        : 'wallet.crypto_waiting';
  };

  router.get('/wallet/crypto/:id/return', requireAccount, async (req, res) => {
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.customerId !== viewerOf(res).customer.id || payment.provider !== CRYPTO_PROVIDER)
      throw new ShopError('not_found', 'errors.notFound');
    res.redirect(303, `/wallet?done=${await outcomeOf(payment.id, req)}`);
  });

  // A buyer who paid from the bot comes back here: no sign-in (they may have no web account). The page
  // says only what became of the payment; the bot tells them the rest.
  router.get('/wallet/crypto/:id/back-to-bot', async (req, res) => {
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.provider !== CRYPTO_PROVIDER) throw new ShopError('not_found', 'errors.notFound');
    const outcome = (await outcomeOf(payment.id, req)).replace('wallet.', 'wallet.notices.');
    res.send(cryptoBackToBotPage(ctxOf(res), outcome).value);
  });
  return router;
}

/** A printable invoice for any of the buyer's payments (test, card, crypto); another buyer's is a 404. */
export function invoiceRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/wallet/payments/:id/invoice', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.customerId !== viewer.customer.id) throw new ShopError('not_found', 'errors.notFound');
    res.send(
      invoicePage(ctxOf(res), { payment, email: viewer.account.email, shopName: shop.config.shopName, timeZone: shop.config.timeZone })
        .value,
    );
  });
  return router;
}
