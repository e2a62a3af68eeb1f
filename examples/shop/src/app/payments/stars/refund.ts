import { EligibilityError } from '@panelkit/sdk';
import { mayRefundOrders, type RefundingStaff } from '../../orders/refund-order.js';
import type { Shop } from '../../shop.js';
import { STARS_PROVIDER } from '@panelkit/payment-providers/stars';

/** What the owner's refund of a Stars payment came to: queued (or queued before), or why not. */
export type StarsRefundResult =
  | { ok: true }
  | { ok: false; reason: 'forbidden' | 'not_found' | 'not_credited' | 'no_telegram' | 'spent'; balance?: number };

/**
 * The owner refunds a credited Stars payment to the buyer's Telegram account, through the SDK's refund at the
 * provider (`kit.payments.refund`): the refund is recorded and its job queued in one transaction, once per
 * payment (a second request finds it queued); the job calls `refundStarPayment` and writes the reversal once,
 * and its `payment.refunded` event tells the buyer. Only the owner (as for order refunds); only while the
 * wallet still holds the money, so the buyer does not keep both.
 */
export async function requestStarsRefund(shop: Shop, input: { paymentId: string; staff: RefundingStaff }): Promise<StarsRefundResult> {
  if (!mayRefundOrders(input.staff.role)) return { ok: false, reason: 'forbidden' };
  const payment = await shop.kit.payments.get(input.paymentId);
  if (payment === null || payment.providerId !== STARS_PROVIDER) return { ok: false, reason: 'not_found' };
  if (payment.status !== 'credited') return { ok: false, reason: 'not_credited' };
  if (shop.config.telegram === null) return { ok: false, reason: 'no_telegram' };
  try {
    await shop.kit.payments.refund({
      paymentId: payment.id,
      actor: { type: 'admin', id: input.staff.accountId },
      reason: 'refunded by the shop',
      requestKey: 'owner-refund',
    });
    return { ok: true };
  } catch (error) {
    if (!EligibilityError.is(error)) throw error;
    if (error.reasons.includes('spent')) {
      const balance = error.details?.['balance'];
      return { ok: false, reason: 'spent', ...(typeof balance === 'number' ? { balance } : {}) };
    }
    return { ok: false, reason: 'not_credited' };
  }
}
