import { EligibilityError } from '@panelkit/sdk';
import { mayRefundOrders, type RefundingStaff } from '../../orders/refund-order.js';
import type { Shop } from '../../shop.js';

/** What the owner's refund of a gateway payment came to: queued (or queued before), or why not. */
export type GatewayRefundResult =
  | { ok: true; replayed: boolean }
  | { ok: false; reason: 'forbidden' | 'not_found' | 'not_refundable' | 'not_credited' | 'spent' | 'exceeds' };

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
    if (reason === 'exceeds_refundable') return { ok: false, reason: 'exceeds' };
    if (reason === 'not_credited') return { ok: false, reason: 'not_credited' };
    return { ok: false, reason: 'not_refundable' };
  }
}
