import { PaymentProviderUnavailableError, PaymentSignatureError, type PaymentProvider } from '@panelkit/sdk';
import type { PaymentSignal } from '@panelkit/sdk/payments';
import { fromMinorUnits, minorDigits } from '../core/money.js';
import type { ReadWhenNeeded } from '../core/read-when-needed.js';
import { readSetUp } from '../core/set-up.js';
import { createInvoice, getPayment, NowPaymentsError, type NowPaymentsApi, type NowPaymentsPayment } from './api.js';
import { NOWPAYMENTS_PAYMENT_ID, NOWPAYMENTS_PROVIDER, readNowPaymentsIpn } from './ipn.js';

/** Invoices one buyer may have waiting at once. */
export const MAX_PENDING_INVOICES = 5;
/** How long an unpaid invoice counts against the buyer (NOWPayments' invoices stay payable about a day). */
export const INVOICE_TTL_MS = 24 * 3_600_000;

/** Options of {@link nowPaymentsProvider}. */
export interface NowPaymentsOptions {
  /** The provider id payments are recorded under (default `nowpayments`; a host with stored payments keeps its own). */
  id?: string;
  /** The API, or a function reading it when needed (the merchant may change it); `null` while it is off. */
  api: ReadWhenNeeded<NowPaymentsApi | null>;
  /** Where NOWPayments sends its IPN callbacks, given the payment's return address (the host's public IPN route). */
  ipnCallbackUrl: (returnUrl: string) => string;
  /** Where the buyer goes when they leave the invoice unpaid, given the payment's return address. */
  cancelUrl: (returnUrl: string) => string;
}

/** NOWPayments' status word as one signal kind: only `finished` is money in full. */
function kindOf(status: NowPaymentsPayment['payment_status']): PaymentSignal['kind'] {
  if (status === 'finished') return 'paid';
  if (status === 'failed') return 'failed';
  if (status === 'expired') return 'expired';
  if (status === 'refunded') return 'refunded';
  return 'waiting';
}

function signalOf(remote: NowPaymentsPayment, externalRef: string): PaymentSignal {
  return {
    externalRef,
    kind: kindOf(remote.payment_status),
    amount: { amount: Math.round(remote.price_amount * 10 ** minorDigits(remote.price_currency)), currency: remote.price_currency },
    settlementRef: remote.payment_id,
    providerStatus: remote.payment_status,
  };
}

/**
 * NOWPayments (crypto): `open` makes a hosted invoice (the payment's external reference is the invoice id); a
 * callback is read by {@link readNowPaymentsIpn} (its IPN secret's HMAC), and even then NOWPayments is asked about
 * the payment it names, server to server, before anything is credited. The buyer's return (`NP_id`) is checked the
 * same way. An admin may "mark paid" (a late or lost callback), never approve.
 */
export function nowPaymentsProvider(options: NowPaymentsOptions): PaymentProvider {
  const id = options.id ?? NOWPAYMENTS_PROVIDER;
  const unavailable = (error: unknown): never => {
    if (error instanceof NowPaymentsError) throw new PaymentProviderUnavailableError(id, error.message, { cause: error });
    throw error;
  };
  const gateway = () => readSetUp(options.api, id, 'the crypto gateway');
  return {
    id,
    capabilities: { confirmations: ['gateway', 'admin_mark_paid'], adminReject: false },
    maxPending: MAX_PENDING_INVOICES,
    pendingTtlMs: INVOICE_TTL_MS,
    async open(request) {
      const api = await gateway();
      if (request.returnUrl === null) throw new PaymentProviderUnavailableError(id, 'the shop has no address for the way back');
      const invoice = await createInvoice(api, {
        amount: fromMinorUnits(request.amount.amount, request.amount.currency),
        currency: request.amount.currency,
        orderId: request.paymentId,
        description: request.description,
        ipnCallbackUrl: options.ipnCallbackUrl(request.returnUrl),
        successUrl: request.returnUrl,
        cancelUrl: options.cancelUrl(request.returnUrl),
      }).catch(unavailable);
      return {
        externalRef: invoice.id,
        redirectUrl: invoice.invoice_url,
        details: { invoiceId: invoice.id, invoiceUrl: invoice.invoice_url },
      };
    },
    async parseCallback(callback) {
      const api = await gateway();
      const { paymentId } = readNowPaymentsIpn({
        body: callback.rawBody ?? callback.body,
        headers: callback.headers,
        ipnSecret: api.ipnSecret,
        providerId: id,
      });
      const remote = await getPayment(api, paymentId).catch(unavailable);
      if (remote.invoice_id == null) throw new PaymentSignatureError(id, 'a payment without an invoice');
      return signalOf(remote, remote.invoice_id);
    },
    async verify(payment, returned) {
      const externalRef = payment.externalRef ?? '';
      const paymentId = returned['NP_id'] ?? '';
      if (!NOWPAYMENTS_PAYMENT_ID.test(paymentId)) return { externalRef, kind: 'waiting' };
      const remote = await getPayment(await gateway(), paymentId).catch(unavailable);
      // Only the gateway's payment on this very invoice speaks for it.
      if (remote.invoice_id !== externalRef || remote.order_id !== payment.id) return { externalRef, kind: 'waiting' };
      return signalOf(remote, externalRef);
    },
  };
}
