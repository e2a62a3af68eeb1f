import { RefundRefusedError, orderMoney, type Order } from '@panelkit/sdk';
import type { RefundRefusalReason } from '@panelkit/sdk/rules';
import type { AccountRole } from '../../db/accounts.js';
import type { Shop } from '../shop.js';

/** Who asks for a refund: a signed-in staff account. */
export interface RefundingStaff {
  accountId: string;
  role: AccountRole;
}

/** What a staff refund of an order came to: done (and whether it was the whole order), or why not. */
export type RefundOrderResult =
  | { ok: true; full: boolean; refundable: number; created: boolean }
  | { ok: false; reason: 'forbidden' | RefundRefusalReason; refundable: number };

/** Only the owner gives money back: a refund also ends subscriptions and takes back referral rewards. */
export function mayRefundOrders(role: AccountRole): boolean {
  return role === 'admin';
}

/** What was paid for an order, what went back, and what is left to refund (minor units of its currency). */
export async function orderRefundState(shop: Shop, order: Order): Promise<{ paid: number; refunded: number; refundable: number }> {
  const { paid, refunded } = orderMoney(await shop.storage.ledger.listByOrder(order.id));
  return { paid, refunded, refundable: Math.max(0, paid - refunded) };
}

/**
 * The owner refunds (part of) an order to its buyer's wallet, with a reason the buyer reads in the refund notice:
 * the SDK's `kit.refund`, which checks the order and the amount and audits it under the owner's name. The key comes
 * from the form's nonce, so the same form posted twice refunds once. The role is checked here, not only on the route.
 */
export async function refundOrderByStaff(
  shop: Shop,
  input: { order: Order; amount: number; note: string; nonce: string; staff: RefundingStaff },
): Promise<RefundOrderResult> {
  const { order } = input;
  if (!mayRefundOrders(input.staff.role)) return { ok: false, reason: 'forbidden', refundable: 0 };
  try {
    const done = await shop.kit.refund({
      customerId: order.customerId,
      orderId: order.id,
      amount: { amount: input.amount, currency: order.total.currency },
      idempotencyKey: `refund:order:${order.id}:${input.nonce}`,
      note: input.note,
      actor: { type: 'admin', id: input.staff.accountId },
    });
    return { ok: true, full: done.full, refundable: done.refundable, created: done.created };
  } catch (error) {
    if (RefundRefusedError.is(error)) return { ok: false, reason: error.reason, refundable: error.refundable };
    throw error;
  }
}
