import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { requireAccount } from '../auth/viewer.js';
import { paymentsOf } from '../db/payments.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { HttpError } from '../http/http-error.js';
import { idParam } from '../http/ids.js';
import { amountSchema } from '../payments/amount.js';
import { GatewayError } from '../payments/crypto/api.js';
import { activeGateway } from '../payments/crypto/gateway-settings.js';
import { CRYPTO_PROVIDER, settleGatewayPayment } from '../payments/crypto/settle-gateway.js';
import { startCryptoInvoice } from '../payments/crypto/start-invoice.js';
import { verifyIpnSignature } from '../payments/crypto/signature.js';
import { REQUEST_KEY_PATTERN } from '../payments/provider.js';
import type { Shop } from '../stack/shop.js';
import { cryptoInvoicePage } from '../views/crypto-invoice-page.js';
import { invoicePage } from '../views/invoice-page.js';

const PAYMENT_ID = /^[0-9A-Za-z_-]{1,40}$/;

/** Where the gateway sends the buyer back and its callbacks: PUBLIC_URL in production, else this request's origin. */
function publicBase(shop: Shop, req: Request): string {
  return (shop.config.publicUrl ?? `${req.protocol}://${req.get('host')}`).replace(/\/$/, '');
}

/**
 * The gateway's callback (IPN), mounted before the session and CSRF layers: it carries its own HMAC signature. A
 * forged or unsigned call is refused with 401 and changes nothing; a signed one is settled from the gateway's own
 * answer about the payment (never from the body), exactly once. 503 when the gateway cannot be asked, so it retries.
 */
export function cryptoCallbackRoutes(shop: Shop): Router {
  const router = Router();
  router.post('/payments/crypto/ipn', express.json({ limit: '32kb' }), async (req, res) => {
    const gateway = await activeGateway(shop);
    if (gateway === null) throw new HttpError(404, 'errors.notFound');
    if (!verifyIpnSignature(req.body, req.get('x-nowpayments-sig'), gateway.ipnSecret)) {
      res.status(401).json({ error: 'bad signature' });
      return;
    }
    const paymentId = String((req.body as { payment_id?: unknown }).payment_id ?? '');
    if (!PAYMENT_ID.test(paymentId)) {
      res.status(400).json({ error: 'no payment id' });
      return;
    }
    try {
      const settled = await settleGatewayPayment(shop, gateway, paymentId);
      res.status(settled.outcome === 'unknown' ? 404 : 200).json({ outcome: settled.outcome });
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      shop.logger.warn({ err: error, paymentId }, 'gateway callback could not be verified yet');
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
    const gateway = await activeGateway(shop);
    if (gateway === null) throw new HttpError(404, 'errors.notFound');
    const { customer } = viewerOf(res);
    const form = InvoiceForm.safeParse(req.body);
    const amount = amountSchema(shop.config.currency).safeParse((req.body as { amount?: unknown }).amount);
    if (!form.success || !amount.success)
      throw new HttpError(
        400,
        amount.success ? 'wallet.errors.formExpired' : (amount.error.issues[0]?.message ?? 'wallet.errors.amountZero'),
      );
    const started = await startCryptoInvoice(shop, gateway, {
      customerId: customer.id,
      amount: amount.data,
      requestKey: form.data.idempotencyKey,
      base: publicBase(shop, req),
    });
    if (!started.ok && started.reason === 'too_many_pending') throw new HttpError(429, 'wallet.errors.tooManyPending');
    if (!started.ok && started.reason === 'key_reused') throw new HttpError(409, 'wallet.errors.formExpired');
    if (!started.ok) throw new HttpError(503, 'wallet.crypto.unavailable');
    // The gateway's page is opened by a link from our own: the CSP's form-action keeps form posts on this origin.
    res.redirect(303, `/wallet/crypto/${started.payment.id}`);
  });

  router.get('/wallet/crypto/:id', requireAccount, async (req, res) => {
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.customerId !== viewerOf(res).customer.id || payment.provider !== CRYPTO_PROVIDER)
      throw new HttpError(404, 'errors.notFound');
    res.send(cryptoInvoicePage(ctxOf(res), payment).value);
  });

  router.get('/wallet/crypto/:id/return', requireAccount, async (req, res) => {
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.customerId !== viewerOf(res).customer.id || payment.provider !== CRYPTO_PROVIDER)
      throw new HttpError(404, 'errors.notFound');
    const gateway = await activeGateway(shop);
    const paymentId = typeof req.query['NP_id'] === 'string' ? req.query['NP_id'] : '';
    let done = 'wallet.crypto_waiting';
    if (gateway !== null && PAYMENT_ID.test(paymentId)) {
      const settled = await settleGatewayPayment(shop, gateway, paymentId).catch((error: unknown) => {
        if (error instanceof GatewayError) return null;
        throw error;
      });
      // Only the buyer's own invoice is reported back to them.
      if (settled !== null && settled.outcome !== 'unknown' && settled.payment.customerId === payment.customerId) {
        done =
          settled.outcome === 'credited'
            ? 'wallet.crypto_credited'
            : settled.outcome === 'failed'
              ? 'wallet.crypto_failed'
              : 'wallet.crypto_waiting';
      }
    }
    res.redirect(303, `/wallet?done=${done}`);
  });
  return router;
}

/** A printable invoice for any of the buyer's payments (test, card, crypto); another buyer's is a 404. */
export function invoiceRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/wallet/payments/:id/invoice', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const payment = await paymentsOf(shop).get(idParam(req));
    if (payment === null || payment.customerId !== viewer.customer.id) throw new HttpError(404, 'errors.notFound');
    res.send(
      invoicePage(ctxOf(res), { payment, email: viewer.account.email, shopName: shop.config.shopName, timeZone: shop.config.timeZone })
        .value,
    );
  });
  return router;
}
