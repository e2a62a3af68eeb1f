import { PaymentProviderUnavailableError, PaymentSignatureError, type SignalResult } from '@panelkit/sdk';
import type { Shop } from '../../shop.js';
import { CRYPTOBOT_PROVIDER, CRYPTOBOT_SIGNATURE_HEADER } from '../cryptobot/provider.js';
import { EPAY_PROVIDER } from '../epay/provider.js';
import { YOOKASSA_PROVIDER } from '@panelkit/payment-providers/yookassa';
import { STRIPE_PROVIDER } from '@panelkit/payment-providers/stripe';

/** What a CryptoBot webhook or a YooKassa notification came to: applied (with the SDK's outcome), forged (refused, nothing changed), or to be retried. */
export type WebhookResult = { status: 'applied'; result: SignalResult } | { status: 'forged' } | { status: 'retry' };

/**
 * A Crypto Pay webhook as the shop's route received it: its raw body and signature header. The SDK's CryptoBot
 * provider checks the signature and asks Crypto Pay about the invoice; `kit.payments` credits it at most once.
 */
export async function handleCryptoBotWebhook(shop: Shop, rawBody: string, signature: string | undefined): Promise<WebhookResult> {
  try {
    const result = await shop.kit.payments.handleCallback(CRYPTOBOT_PROVIDER, {
      headers: { [CRYPTOBOT_SIGNATURE_HEADER]: signature },
      body: rawBody,
      query: {},
    });
    return { status: 'applied', result };
  } catch (error) {
    if (PaymentSignatureError.is(error)) return { status: 'forged' };
    if (!PaymentProviderUnavailableError.is(error)) throw error;
    shop.logger.warn({ err: error }, 'a CryptoBot webhook could not be checked with Crypto Pay yet');
    return { status: 'retry' };
  }
}

/** What an EPay notify came to, and the exact text EPay is answered: `success` stops its retries, anything else not. */
export type EpayNotifyResult = { status: 'credited' | 'acknowledged' | 'refused' | 'forged' | 'retry'; answer: 'success' | 'fail' };

/**
 * An EPay notify as the shop's route received it (its query, and a form body where the gateway posts): the SDK's
 * EPay provider checks the MD5 sign, the merchant and `trade_status`; `kit.payments` credits at most once, whichever
 * replica and however often. Answered `success` once the payment is credited (now or before) or closed; a notify for
 * an order the shop never made, or for another amount, is refused (`fail`) and credits nothing.
 */
export async function handleEpayNotify(
  shop: Shop,
  query: Readonly<Record<string, string | undefined>>,
  body: unknown,
): Promise<EpayNotifyResult> {
  try {
    const { outcome } = await shop.kit.payments.handleCallback(EPAY_PROVIDER, { headers: {}, body, query });
    if (outcome === 'credited' || outcome === 'already_credited') return { status: 'credited', answer: 'success' };
    if (outcome === 'unknown' || outcome === 'mismatch') {
      shop.logger.warn({ outcome, outTradeNo: query['out_trade_no'] }, 'an EPay notify was refused');
      return { status: 'refused', answer: 'fail' };
    }
    return { status: 'acknowledged', answer: 'success' };
  } catch (error) {
    if (PaymentSignatureError.is(error)) return { status: 'forged', answer: 'fail' };
    if (!PaymentProviderUnavailableError.is(error)) throw error;
    return { status: 'retry', answer: 'fail' };
  }
}

/**
 * A YooKassa notification as the shop's route received it (its raw JSON body, passed as the callback's `rawBody`). YooKassa does not sign them: the SDK's
 * YooKassa provider reads the payment it names back from the API and only that answer is applied (`kit.payments`
 * credits at most once). A notification naming a payment YooKassa does not know is `forged`; one YooKassa cannot be
 * asked about yet is `retry` (it retries for a day).
 */
export async function handleYooKassaNotification(shop: Shop, rawBody: string | Uint8Array): Promise<WebhookResult> {
  try {
    const result = await shop.kit.payments.handleCallback(YOOKASSA_PROVIDER, { headers: {}, body: null, rawBody, query: {} });
    return { status: 'applied', result };
  } catch (error) {
    if (PaymentSignatureError.is(error)) return { status: 'forged' };
    if (!PaymentProviderUnavailableError.is(error)) throw error;
    shop.logger.warn({ err: error }, 'a YooKassa notification could not be checked with YooKassa yet');
    return { status: 'retry' };
  }
}

/**
 * A Stripe webhook as the shop's route received it: its raw body (the exact bytes, kept by the route's `express.raw`,
 * passed as the callback's `rawBody`) and `Stripe-Signature` header. The Stripe provider verifies the signature over
 * those bytes with the endpoint's secret and applies the signed event
 * (`kit.payments` credits at most once, and refuses an amount that is not the payment's). A bad signature is `forged`;
 * an event Stripe cannot be asked about yet is `retry` (Stripe retries for three days).
 */
export async function handleStripeWebhook(shop: Shop, rawBody: string | Uint8Array, signature: string | undefined): Promise<WebhookResult> {
  try {
    const headers = signature === undefined ? {} : { 'stripe-signature': signature };
    const result = await shop.kit.payments.handleCallback(STRIPE_PROVIDER, { headers, body: null, rawBody, query: {} });
    return { status: 'applied', result };
  } catch (error) {
    if (PaymentSignatureError.is(error)) return { status: 'forged' };
    if (!PaymentProviderUnavailableError.is(error)) throw error;
    shop.logger.warn({ err: error }, 'a Stripe webhook could not be checked with Stripe yet');
    return { status: 'retry' };
  }
}
