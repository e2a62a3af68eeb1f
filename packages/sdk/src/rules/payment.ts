import type { PaymentConfirmation, PaymentStatus } from '../domain/payment.js';

/**
 * The statuses each way of confirming may credit a payment from. The gateway's word that the money
 * arrived wins over an expiry, a buyer's cancel or an earlier `failed`: the money is the buyer's, so
 * a late payment on an ended invoice is still credited. An admin approves a receipt that waits (or
 * expired before they got to it); an admin's explicit "mark paid" may also revive a gateway's ended
 * payment. A credited or reversed payment is never credited again.
 */
export const CREDITABLE_FROM: Readonly<Record<PaymentConfirmation, readonly PaymentStatus[]>> = Object.freeze({
  instant: ['pending'],
  gateway: ['pending', 'expired', 'cancelled', 'rejected'],
  admin_approval: ['pending', 'expired'],
  admin_mark_paid: ['pending', 'expired', 'cancelled', 'rejected'],
});

/** Why a pending payment ends without money: an admin or the gateway said no, time ran out, the buyer gave up. */
export type PaymentClosing = 'rejected' | 'expired' | 'cancelled';

/** Only a pending payment can be closed; every other status is final or is ended by a reversal. */
export const CLOSABLE_FROM: readonly PaymentStatus[] = Object.freeze(['pending']);

/**
 * How much of a reversed payment the wallet gives back: the whole amount when the balance covers it,
 * else what is there (never below zero); the rest is the shortfall the admins are told about.
 */
export function reversalSplit(amount: number, balance: number): { taken: number; shortfall: number } {
  const taken = Math.max(0, Math.min(amount, balance));
  return { taken, shortfall: amount - taken };
}
