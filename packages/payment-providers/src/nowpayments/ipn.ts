import { PaymentSignatureError } from '@panelkit/sdk';
import { jsonOf, textOf } from '../core/body.js';
import { headerOf, type WebhookHeaders } from '../core/headers.js';
import { verifyIpnSignature } from './signature.js';

/** The provider id NOWPayments payments are recorded under unless the host names another (`id` option). */
export const NOWPAYMENTS_PROVIDER = 'nowpayments';
/** The header NOWPayments signs its IPN callbacks in. */
export const NOWPAYMENTS_SIGNATURE_HEADER = 'x-nowpayments-sig';

/** NOWPayments' payment ids (digits today; letters, `_` and `-` allowed): anything else is not one. */
export const NOWPAYMENTS_PAYMENT_ID = /^[0-9A-Za-z_-]{1,40}$/;

/** A NOWPayments IPN callback as it reached the host: the raw JSON body (or the body a JSON parser already made) and its headers. */
export interface NowPaymentsIpnInput {
  /** The exact body received, or its parsed JSON (the signature is over the sorted JSON, so either serves). */
  body: string | Uint8Array | unknown;
  /** The request's headers: `x-nowpayments-sig` is read. */
  headers: WebhookHeaders;
  /** The IPN secret from NOWPayments' dashboard. */
  ipnSecret: string;
  /** The provider id the refusal names (default {@link NOWPAYMENTS_PROVIDER}). */
  providerId?: string;
}

/**
 * A NOWPayments IPN callback checked, framework-free: `x-nowpayments-sig` must be the hex HMAC-SHA512 of the body's
 * JSON with its keys sorted, under the IPN secret, and the body must name a payment. The payment id it names comes
 * back; what became of that payment only NOWPayments' own answer says (`getPayment`). A bad signature, a body that is
 * not JSON or names no payment is refused with `PaymentSignatureError` (answer 401, change nothing).
 */
export function readNowPaymentsIpn(input: NowPaymentsIpnInput): { paymentId: string } {
  const providerId = input.providerId ?? NOWPAYMENTS_PROVIDER;
  let body = input.body;
  if (typeof body === 'string' || body instanceof Uint8Array) body = jsonOf(textOf(body), providerId);
  if (!verifyIpnSignature(body, headerOf(input.headers, NOWPAYMENTS_SIGNATURE_HEADER), input.ipnSecret))
    throw new PaymentSignatureError(providerId, 'bad signature');
  const paymentId = String((body as { payment_id?: unknown } | null)?.payment_id ?? '');
  if (!NOWPAYMENTS_PAYMENT_ID.test(paymentId)) throw new PaymentSignatureError(providerId, 'no payment id');
  return { paymentId };
}
