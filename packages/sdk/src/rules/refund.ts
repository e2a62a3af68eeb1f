import type { Money } from '../domain/money.js';

/** Why `decideOrderRefund` (and `kit.refund`) refuses a refund; machine-readable. */
export type RefundRefusalReason =
  /** The order belongs to another customer. */
  | 'not_customers_order'
  /** The refund is in another currency than the order was paid in. */
  | 'wrong_currency'
  /** Nothing was paid for the order (a free order), or all of it went back already. */
  | 'nothing_to_refund'
  /** More than what is left of what was paid for the order (cumulative over its refunds). */
  | 'exceeds_paid'
  /**
   * A unit of the order is still being provisioned: it may yet fail and be refunded on its own, so the
   * order is refunded once none is pending.
   */
  | 'order_provisioning';

/** What `decideOrderRefund` decides on; amounts in integer minor units of the order's currency. */
export interface OrderRefundInput {
  /** The order's customer, and the customer the refund is for. */
  orderCustomerId: string;
  customerId: string;
  /** The order's currency. */
  currency: string;
  /** What was paid for the order: its purchase debits (a retried unit is paid again). */
  paid: number;
  /** What went back for it already: every refund naming it (failed units, earlier refunds). */
  refunded: number;
  /** This refund. */
  amount: Money;
  /** Whether a subscription of the order is still pending. */
  provisioning: boolean;
}

/**
 * What an allowed refund does beyond the credit. Only a refund that returns everything left of the
 * order (`full`) gives back what the order took: its discount code use, and its slots (the order's
 * live subscriptions end). A part refund (goodwill, a partial outage) keeps them. A referral reward on
 * the order shrinks in the share the refund returns of what was kept (see `referralRewardAfterRefund`).
 */
export interface OrderRefundOutcome {
  /** What the buyer keeps paid for the order before this refund, and after it. */
  keptBefore: number;
  keptAfter: number;
  /** Whether, with this refund, all that was paid for the order has gone back. */
  full: boolean;
}

/** Whether a refund may name this order, and what it releases: see {@link OrderRefundOutcome}. */
export function decideOrderRefund(
  input: OrderRefundInput,
): { allowed: true; outcome: OrderRefundOutcome } | { allowed: false; reason: RefundRefusalReason; left: number } {
  const left = Math.max(0, input.paid - input.refunded);
  if (input.orderCustomerId !== input.customerId) return { allowed: false, reason: 'not_customers_order', left: 0 };
  if (input.amount.currency !== input.currency) return { allowed: false, reason: 'wrong_currency', left };
  if (left <= 0) return { allowed: false, reason: 'nothing_to_refund', left };
  if (input.provisioning) return { allowed: false, reason: 'order_provisioning', left };
  if (input.amount.amount > left) return { allowed: false, reason: 'exceeds_paid', left };
  const keptAfter = left - input.amount.amount;
  return { allowed: true, outcome: { keptBefore: left, keptAfter, full: keptAfter === 0 } };
}

/**
 * A referral reward after a refund of its order: the reward scaled by the share of the order's money
 * the buyer keeps (`keptAfter / keptBefore`), rounded down; nothing once the order is refunded in full.
 * Applied refund after refund, the reward follows what the order finally cost.
 */
export function referralRewardAfterRefund(reward: Money, keptBefore: number, keptAfter: number): Money {
  if (keptBefore <= 0 || keptAfter <= 0) return { amount: 0, currency: reward.currency };
  if (keptAfter >= keptBefore) return { ...reward };
  // In bigint: the product may pass the safe-integer range.
  const amount = (BigInt(reward.amount) * BigInt(keptAfter)) / BigInt(keptBefore);
  return { amount: Number(amount), currency: reward.currency };
}

/** Whether a refund at `now` of an order placed at `orderedAt` falls in a window of `days` days (end exclusive). */
export function withinRefundWindow(orderedAt: Date, now: Date, days: number): boolean {
  return now.getTime() < orderedAt.getTime() + days * 86_400_000;
}
