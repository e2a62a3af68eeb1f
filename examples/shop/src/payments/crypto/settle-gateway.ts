import { paymentsOf, type Payment } from '../../db/payments.js';
import { minorDigits } from '../../i18n/format.js';
import type { Shop } from '../../stack/shop.js';
import { creditPayment } from '../settle.js';
import { getPayment, type GatewayApi } from './api.js';

/** The provider id crypto payments are recorded under. */
export const CRYPTO_PROVIDER = 'crypto';

/** What became of a gateway payment the shop was told about. */
export type GatewaySettlement =
  | { outcome: 'credited'; payment: Payment }
  | { outcome: 'waiting'; payment: Payment }
  | { outcome: 'failed'; payment: Payment }
  /** The gateway's amount or currency is not the invoice's: left for an admin, nothing credited. */
  | { outcome: 'mismatch'; payment: Payment }
  | { outcome: 'unknown' };

const toMinor = (major: number, currency: string) => Math.round(major * 10 ** minorDigits(currency));

/**
 * Settles what a callback or the buyer's return names, always from the gateway's own answer (`GET /v1/payment/<id>`,
 * server to server), never from what was posted. Exactly once: the gateway's payment id becomes the payment's unique
 * reference key in a conditional update, and the credit's ledger key is the payment's, so a callback delivered twice,
 * at once, beside the buyer's return, moves the wallet once. A second gateway payment on the same invoice (a buyer who
 * paid twice) is recorded and credited as a payment of its own.
 */
export async function settleGatewayPayment(shop: Shop, api: GatewayApi, gatewayPaymentId: string): Promise<GatewaySettlement> {
  const remote = await getPayment(api, gatewayPaymentId);
  const payments = paymentsOf(shop);
  const invoice = remote.order_id === null ? null : await payments.get(remote.order_id);
  if (invoice === null || invoice.provider !== CRYPTO_PROVIDER) return { outcome: 'unknown' };
  if (
    remote.price_currency !== invoice.amount.currency ||
    toMinor(remote.price_amount, invoice.amount.currency) !== invoice.amount.amount
  ) {
    shop.logger.warn({ paymentId: invoice.id, gatewayPaymentId }, 'gateway payment does not match its invoice; left for an admin');
    return { outcome: 'mismatch', payment: invoice };
  }
  if (remote.payment_status === 'failed' || remote.payment_status === 'expired') {
    await payments.rejectFromGateway(invoice.id, `gateway: ${remote.payment_status}`);
    return { outcome: 'failed', payment: (await payments.get(invoice.id)) ?? invoice };
  }
  if (remote.payment_status !== 'finished') return { outcome: 'waiting', payment: invoice };

  let approved = await payments.approveFromGateway(invoice.id, remote.payment_id);
  approved ??= await payments.byProviderReference(CRYPTO_PROVIDER, remote.payment_id);
  if (approved === null) {
    // The invoice was settled by another gateway payment: this one is money of its own.
    const created = await payments.create(
      {
        customerId: invoice.customerId,
        provider: CRYPTO_PROVIDER,
        amount: invoice.amount,
        status: 'approved',
        reference: remote.payment_id,
        referenceKey: remote.payment_id,
        details: { invoiceId: invoice.details.invoiceId, invoiceUrl: invoice.details.invoiceUrl },
      },
      { maxPending: null },
    );
    approved = created.ok ? created.payment : created.reason === 'duplicate' ? created.existing : null;
  }
  if (approved === null || approved.status !== 'approved') return { outcome: 'waiting', payment: invoice };
  await creditPayment(shop, approved);
  return { outcome: 'credited', payment: (await payments.get(approved.id)) ?? approved };
}
