import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal } from '@panelkit/sdk/payments';
import type { SettingsDb } from '../../../db/shop-settings.js';
import { minorDigits } from '../../../i18n/format.js';
import { createInvoice, GatewayError, getPayment, type GatewayPayment } from './api.js';
import { activeGateway } from './gateway-settings.js';
import { verifyIpnSignature } from './signature.js';

/** The provider id crypto payments are recorded under. */
export const CRYPTO_PROVIDER = 'crypto';
/** Invoices one buyer may have waiting at once. */
export const MAX_PENDING_INVOICES = 5;
/** How long an unpaid invoice counts against the buyer (NOWPayments' invoices stay payable about a day). */
export const INVOICE_TTL_MS = 24 * 3_600_000;

const GATEWAY_PAYMENT_ID = /^[0-9A-Za-z_-]{1,40}$/;
const toMinor = (major: number, currency: string) => Math.round(major * 10 ** minorDigits(currency));

/** NOWPayments' status word as one signal kind: only `finished` is money in full. */
function kindOf(status: GatewayPayment['payment_status']): PaymentSignal['kind'] {
  if (status === 'finished') return 'paid';
  if (status === 'failed') return 'failed';
  if (status === 'expired') return 'expired';
  if (status === 'refunded') return 'refunded';
  return 'waiting';
}

function signalOf(remote: GatewayPayment, externalRef: string): PaymentSignal {
  return {
    externalRef,
    kind: kindOf(remote.payment_status),
    amount: { amount: toMinor(remote.price_amount, remote.price_currency), currency: remote.price_currency },
    settlementRef: remote.payment_id,
    providerStatus: remote.payment_status,
  };
}

const unavailable = (error: unknown): never => {
  if (error instanceof GatewayError) throw new PaymentProviderUnavailableError(CRYPTO_PROVIDER, error.message, { cause: error });
  throw error;
};

/**
 * The crypto gateway the shop ships (NOWPayments' API): `open` makes a hosted invoice (the payment's
 * external reference is the invoice id); a callback is accepted only with the IPN secret's HMAC, and
 * even then the shop asks the gateway itself about the payment it names, server to server, before
 * anything is credited. An admin may "mark paid" (a late or lost callback), never approve.
 */
export function cryptoGatewayProvider(settings: SettingsDb): PaymentProvider {
  const gateway = async () => {
    const active = await activeGateway(settings);
    if (active === null) throw new PaymentProviderUnavailableError(CRYPTO_PROVIDER, 'the crypto gateway is not set up');
    return active;
  };
  return {
    id: CRYPTO_PROVIDER,
    capabilities: { confirmations: ['gateway', 'admin_mark_paid'], adminReject: false },
    maxPending: MAX_PENDING_INVOICES,
    pendingTtlMs: INVOICE_TTL_MS,
    async open(request) {
      const api = await gateway();
      if (request.returnUrl === null)
        throw new PaymentProviderUnavailableError(CRYPTO_PROVIDER, 'the shop has no address for the way back');
      const digits = minorDigits(request.amount.currency);
      const invoice = await createInvoice(api, {
        amount: (request.amount.amount / 10 ** digits).toFixed(digits),
        currency: request.amount.currency,
        orderId: request.paymentId,
        description: request.description,
        ipnCallbackUrl: new URL('/payments/crypto/ipn', request.returnUrl).toString(),
        successUrl: request.returnUrl,
        cancelUrl: new URL('/wallet', request.returnUrl).toString(),
      }).catch(unavailable);
      return {
        externalRef: invoice.id,
        redirectUrl: invoice.invoice_url,
        details: { invoiceId: invoice.id, invoiceUrl: invoice.invoice_url },
      };
    },
    async parseCallback({ headers, body }) {
      const api = await gateway();
      if (!verifyIpnSignature(body, headers['x-nowpayments-sig'], api.ipnSecret))
        throw new PaymentSignatureError(CRYPTO_PROVIDER, 'bad signature');
      const paymentId = String((body as { payment_id?: unknown } | null)?.payment_id ?? '');
      if (!GATEWAY_PAYMENT_ID.test(paymentId)) throw new PaymentSignatureError(CRYPTO_PROVIDER, 'no payment id');
      const remote = await getPayment(api, paymentId).catch(unavailable);
      if (remote.invoice_id == null) throw new PaymentSignatureError(CRYPTO_PROVIDER, 'a payment without an invoice');
      return signalOf(remote, remote.invoice_id);
    },
    async verify(payment, returned) {
      const externalRef = payment.externalRef ?? '';
      const paymentId = returned['NP_id'] ?? '';
      if (!GATEWAY_PAYMENT_ID.test(paymentId)) return { externalRef, kind: 'waiting' };
      const remote = await getPayment(await gateway(), paymentId).catch(unavailable);
      // Only the gateway's payment on this very invoice speaks for it.
      if (remote.invoice_id !== externalRef || remote.order_id !== payment.id) return { externalRef, kind: 'waiting' };
      return signalOf(remote, externalRef);
    },
  };
}
