import { paymentsOf, type Payment } from '../../db/payments.js';
import { minorDigits } from '../../i18n/format.js';
import type { Shop } from '../../stack/shop.js';
import { createInvoice, GatewayError } from './api.js';
import type { GatewayApi } from './api.js';
import { CRYPTO_PROVIDER } from './settle-gateway.js';

/** Invoices one buyer may have waiting at once. */
export const MAX_PENDING_INVOICES = 5;

/** What starting a crypto payment came to: the payment with its gateway invoice, or why not. */
export type StartedInvoice =
  | { ok: true; payment: Payment; invoiceUrl: string }
  | { ok: false; reason: 'too_many_pending' | 'key_reused' | 'gateway_unavailable' };

/**
 * Starts a crypto top-up: one pending payment per `requestKey` (a web form's key, a bot button's
 * message), then an invoice on the gateway for it, whose id and page the payment keeps. The same key
 * again gives the same payment and invoice (a double click, a redelivered update); a payment whose
 * invoice could not be made gets one on the next try with the same key. `base` is the shop's public
 * address, for the gateway's callbacks and the buyer's way back.
 */
export async function startCryptoInvoice(
  shop: Shop,
  gateway: GatewayApi,
  request: { customerId: string; amount: number; requestKey: string; base: string },
): Promise<StartedInvoice> {
  const payments = paymentsOf(shop);
  const created = await payments.create(
    {
      customerId: request.customerId,
      provider: CRYPTO_PROVIDER,
      amount: { amount: request.amount, currency: shop.config.currency },
      status: 'pending',
      reference: null,
      referenceKey: `form:${request.requestKey}`,
      details: { requestKey: request.requestKey },
    },
    { maxPending: MAX_PENDING_INVOICES },
  );
  if (!created.ok && created.reason === 'too_many_pending') return { ok: false, reason: 'too_many_pending' };
  const payment = created.ok ? created.payment : created.existing;
  if (payment.customerId !== request.customerId) return { ok: false, reason: 'key_reused' };
  const known = payment.details.invoiceUrl;
  if (typeof known === 'string') return { ok: true, payment, invoiceUrl: known };
  const digits = minorDigits(payment.amount.currency);
  try {
    const invoice = await createInvoice(gateway, {
      amount: (payment.amount.amount / 10 ** digits).toFixed(digits),
      currency: payment.amount.currency,
      orderId: payment.id,
      description: `${shop.config.shopName} wallet top-up`,
      ipnCallbackUrl: `${request.base}/payments/crypto/ipn`,
      successUrl: `${request.base}/wallet/crypto/${payment.id}/return`,
      cancelUrl: `${request.base}/wallet`,
    });
    await payments.attachInvoice(payment.id, invoice.id, invoice.invoice_url);
    return { ok: true, payment, invoiceUrl: invoice.invoice_url };
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    shop.logger.warn({ err: error, paymentId: payment.id }, 'crypto invoice could not be created');
    return { ok: false, reason: 'gateway_unavailable' };
  }
}
