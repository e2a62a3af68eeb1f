import { ConfigurationError, PaymentProviderUnavailableError, type PaymentProvider } from '@panelkit/sdk';
import type { ReadWhenNeeded } from '../core/read-when-needed.js';
import { readSetUp } from '../core/set-up.js';
import { requestPayment, startPayUrl, verifyPayment, ZarinpalUnreachableError, type ZarinpalApi } from './api.js';

/** The provider id Zarinpal payments are recorded under. */
export const ZARINPAL_PROVIDER = 'zarinpal';
/** The currency Zarinpal's amounts are in here: rials (the API's `IRR`). */
export const ZARINPAL_CURRENCY = 'IRR';

/** Options of {@link zarinpalProvider}. */
export interface ZarinpalOptions {
  /** The API and merchant, or a function reading them when needed (the merchant may change them); `null` while off. */
  api: ReadWhenNeeded<ZarinpalApi | null>;
  /** Where the buyer comes back to when a payment names none (the host's verify route for that payment). */
  callbackUrl: (paymentId: string) => string;
  /** How long an unpaid request waits (default 30 minutes: Zarinpal's sessions end soon after). */
  pendingTtlMs?: number;
  /** Unpaid requests one buyer may have at once (default 5). */
  maxPending?: number;
}

const PROVIDER_ID = ZARINPAL_PROVIDER;

const apiOf = (options: ZarinpalOptions): Promise<ZarinpalApi> => readSetUp(options.api, PROVIDER_ID, 'Zarinpal');

/**
 * Zarinpal, a redirect-and-verify gateway: `open` makes a payment request (amounts in rials, `IRR`) and
 * sends the buyer to its pay page; the buyer's return is never trusted: `verify` asks Zarinpal, server
 * to server, with the amount the payment was stored with. A payment is confirmed by that answer, or by an admin's
 * explicit "mark paid"; Zarinpal sends no callbacks and reports no refunds.
 */
export function zarinpalProvider(options: ZarinpalOptions): PaymentProvider {
  return {
    id: PROVIDER_ID,
    capabilities: { confirmations: ['gateway', 'admin_mark_paid'], adminReject: false },
    pendingTtlMs: options.pendingTtlMs ?? 30 * 60_000,
    maxPending: options.maxPending ?? 5,
    async open(request) {
      if (request.amount.currency !== ZARINPAL_CURRENCY) throw new ConfigurationError(`Zarinpal takes IRR, not ${request.amount.currency}`);
      const api = await apiOf(options);
      try {
        const authority = await requestPayment(api, {
          amount: request.amount.amount,
          currency: 'IRR',
          callbackUrl: request.returnUrl ?? options.callbackUrl(request.paymentId),
          description: request.description,
          orderId: request.paymentId,
        });
        return { externalRef: authority, redirectUrl: startPayUrl(api, authority) };
      } catch (error) {
        if (error instanceof ZarinpalUnreachableError)
          throw new PaymentProviderUnavailableError(PROVIDER_ID, error.message, { cause: error });
        throw error;
      }
    },
    async verify(payment, returned) {
      const externalRef = payment.externalRef ?? '';
      try {
        const answer = await verifyPayment(await apiOf(options), { authority: externalRef, amount: payment.amount });
        if (answer.paid)
          return { externalRef, kind: 'paid', amount: { amount: payment.amount, currency: payment.currency }, providerStatus: 'verified' };
        // Not paid: a buyer who cancelled at the gateway came back with NOK; otherwise it may still come.
        return { externalRef, kind: returned['Status'] === 'NOK' ? 'failed' : 'waiting', providerStatus: `code ${answer.code ?? 'none'}` };
      } catch (error) {
        if (error instanceof ZarinpalUnreachableError)
          throw new PaymentProviderUnavailableError(PROVIDER_ID, error.message, { cause: error });
        throw error;
      }
    },
  };
}
