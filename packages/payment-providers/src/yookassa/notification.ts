import { PaymentProviderUnavailableError, PaymentSignatureError } from '@panelkit/sdk';
import { z } from 'zod';
import { getPayment, getRefund, YooKassaError, type YooKassaApi, type YooKassaPayment, type YooKassaRefund } from './api.js';

/** The provider id YooKassa payments are recorded under. */
export const YOOKASSA_PROVIDER = 'yookassa';

const Notification = z.object({
  type: z.literal('notification'),
  event: z.string(),
  object: z.object({ id: z.string(), payment_id: z.string().optional() }),
});

/** A YooKassa notification once read back from the API: its event, and the payment (and refund) as YooKassa says now. */
export interface YooKassaNotice {
  event: string;
  payment: YooKassaPayment;
  /** The refund a `refund.*` event named; `null` for a `payment.*` event. */
  refund: YooKassaRefund | null;
}

/** A YooKassa API failure as the SDK's retryable refusal (anything else is thrown as it is). */
export function yookassaUnavailable(error: unknown): never {
  if (error instanceof YooKassaError) throw new PaymentProviderUnavailableError(YOOKASSA_PROVIDER, error.message, { cause: error });
  throw error;
}

/**
 * Checks a notification as the host's route received it (its raw body, JSON). YooKassa does not sign notifications:
 * one only names a payment or a refund, which is read back from the API (`GET payments/{id}`, `GET refunds/{id}`), and
 * only that answer is returned, so a forged or replayed body can say nothing YooKassa does not. Throws the SDK's
 * `PaymentSignatureError` for a body that is not a YooKassa notification, an event other than `payment.*` and
 * `refund.*`, or an object YooKassa does not know; `PaymentProviderUnavailableError` when YooKassa cannot be asked
 * now (answer 5xx: YooKassa retries for a day). Framework-free: any host passes the bytes it received.
 */
export async function readYooKassaNotification(input: { rawBody: string | Uint8Array; api: YooKassaApi }): Promise<YooKassaNotice> {
  const text = typeof input.rawBody === 'string' ? input.rawBody : new TextDecoder().decode(input.rawBody);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PaymentSignatureError(YOOKASSA_PROVIDER, 'not JSON');
  }
  const notification = Notification.safeParse(parsed);
  if (!notification.success) throw new PaymentSignatureError(YOOKASSA_PROVIDER, 'not a YooKassa notification');
  const { event, object } = notification.data;
  let refund: YooKassaRefund | null = null;
  let paymentId = object.id;
  if (event.startsWith('refund.')) {
    refund = await getRefund(input.api, object.id).catch(yookassaUnavailable);
    if (refund === null) throw new PaymentSignatureError(YOOKASSA_PROVIDER, 'a refund YooKassa does not know');
    paymentId = refund.payment_id;
  } else if (!event.startsWith('payment.')) {
    throw new PaymentSignatureError(YOOKASSA_PROVIDER, `an event the provider does not take (${event})`);
  }
  const payment = await getPayment(input.api, paymentId).catch(yookassaUnavailable);
  if (payment === null) throw new PaymentSignatureError(YOOKASSA_PROVIDER, 'a payment YooKassa does not know');
  return { event, payment, refund };
}
