import { EligibilityError } from '@panelkit/sdk';
import { mayRefundOrders, type RefundingStaff } from '../../orders/refund-order.js';
import type { Shop } from '../../shop.js';
import { amountSchema } from '../amount.js';
import { REQUEST_KEY_PATTERN } from '../provider.js';

/** What the owner's refund of a gateway payment came to: queued (or queued before), or why not. */
export type GatewayRefundResult =
  | { ok: true; replayed: boolean }
  | { ok: false; reason: 'forbidden' | 'not_found' | 'not_refundable' | 'not_credited' | 'spent' }
  /** More than is left of the payment to refund: `left`, in its minor units. */
  | { ok: false; reason: 'exceeds'; left: number };

/** What the owner's refund form asks for: an amount in minor units (none: all that is left) under the form's key, or which field is wrong. */
export type GatewayRefundAsk =
  | { ok: true; amount?: number; requestKey: string }
  | { ok: false; field: 'amount' | 'nonce'; messageKey: string };

/**
 * Reads the owner's refund form for a payment in `currency`: `amount` in major units as typed ("25.50"; empty for all
 * that is left) and `nonce`, the form's key, which makes the refund's request key (the same form sent again is the
 * same refund; another form is another). A form without a nonce (a page from before partial refunds) asks for the
 * whole payment under the payment's own key, so at most one such refund is made.
 */
export function parseGatewayRefundForm(paymentId: string, body: Record<string, unknown>, currency: string): GatewayRefundAsk {
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim().slice(0, 100) : '');
  const nonce = text('nonce');
  const typed = text('amount');
  if (nonce === '' && typed === '') return { ok: true, requestKey: `admin-refund:${paymentId}` };
  if (!REQUEST_KEY_PATTERN.test(nonce)) return { ok: false, field: 'nonce', messageKey: 'wallet.errors.formExpired' };
  const requestKey = `admin-refund:${paymentId}:${nonce}`;
  if (typed === '') return { ok: true, requestKey };
  const amount = amountSchema(currency).safeParse(typed);
  if (!amount.success) return { ok: false, field: 'amount', messageKey: amount.error.issues[0]?.message ?? 'forms.amount' };
  return { ok: true, amount: amount.data, requestKey };
}

/** Whether payments of the provider can be given back at the provider itself (YooKassa, Stripe; not EPay). */
export function refundsAtProvider(shop: Shop, providerId: string): boolean {
  return shop.kit.payments.providers().some((p) => p.id === providerId && p.capabilities.refunds !== undefined);
}

/**
 * The owner gives (part of) a credited gateway payment back to the buyer at the gateway: the SDK records the refund
 * and queues its job in one transaction (`kit.payments.refund`); the job asks the gateway once under the refund's
 * key and writes the wallet reversal once, whichever replica runs it. Only the owner, as for order refunds; only
 * while the wallet still holds the amount. The same `requestKey` again is the same refund.
 */
export async function requestGatewayRefund(
  shop: Shop,
  input: { paymentId: string; staff: RefundingStaff; requestKey: string; amount?: number; reason?: string | null },
): Promise<GatewayRefundResult> {
  if (!mayRefundOrders(input.staff.role)) return { ok: false, reason: 'forbidden' };
  const payment = await shop.kit.payments.get(input.paymentId);
  if (payment === null) return { ok: false, reason: 'not_found' };
  if (!refundsAtProvider(shop, payment.providerId)) return { ok: false, reason: 'not_refundable' };
  try {
    const done = await shop.kit.payments.refund({
      paymentId: payment.id,
      actor: { type: 'admin', id: input.staff.accountId },
      requestKey: input.requestKey,
      reason: input.reason ?? null,
      ...(input.amount === undefined ? {} : { amount: input.amount }),
    });
    return { ok: true, replayed: done.replayed };
  } catch (error) {
    if (!EligibilityError.is(error)) throw error;
    const [reason] = error.reasons;
    if (reason === 'spent') return { ok: false, reason: 'spent' };
    if (reason === 'exceeds_refundable') return { ok: false, reason: 'exceeds', left: Number(error.details?.['left'] ?? 0) };
    if (reason === 'not_credited') return { ok: false, reason: 'not_credited' };
    return { ok: false, reason: 'not_refundable' };
  }
}
