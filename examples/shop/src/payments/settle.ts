import type { Actor, LedgerEntry } from '@panelkit/sdk';
import { paymentsOf, type Payment } from '../db/payments.js';
import { notificationsOf } from '../notifications/store.js';
import type { Shop } from '../stack/shop.js';

/** The one ledger key of a payment: however often crediting is tried, the wallet moves once. */
export function paymentLedgerKey(payment: Payment): string {
  return `payment:${payment.id}`;
}

function creditActor(payment: Payment): Actor {
  return payment.reviewedBy === null ? { type: 'customer', id: payment.customerId } : { type: 'admin', id: payment.reviewedBy };
}

/**
 * Credits an approved payment to the buyer's wallet and notes the ledger entry on the payment.
 * Two writes in two stores, so the first (the ledger's) is idempotent by the payment's key: a
 * crash between them leaves an approved, uncredited payment that the sweep finishes.
 */
export async function creditPayment(shop: Shop, payment: Payment): Promise<LedgerEntry> {
  if (payment.status !== 'approved') throw new Error(`payment ${payment.id} is ${payment.status}, not approved`);
  const { entry } = await shop.kit.topUp({
    customerId: payment.customerId,
    amount: payment.amount,
    idempotencyKey: paymentLedgerKey(payment),
    reference: (payment.reference ?? payment.id).slice(0, 200),
    note: `${payment.provider} payment ${payment.id}`,
    actor: creditActor(payment),
  });
  if (payment.creditedEntryId !== entry.id) await paymentsOf(shop).markCredited(payment.id, entry.id);
  return entry;
}

/** Tells the staff, once per payment, that an approved payment could not be credited. Never throws. */
export async function alertCreditFailed(shop: Shop, payment: Payment, error: unknown): Promise<void> {
  try {
    await notificationsOf(shop).write({
      recipient: { kind: 'staff' },
      kind: 'payment_credit_failed',
      source: `payment:${payment.id}`,
      params: {
        paymentId: payment.id,
        amount: payment.amount.amount,
        currency: payment.amount.currency,
        error: (error instanceof Error ? error.message : String(error)).slice(0, 300),
      },
    });
  } catch (alertError) {
    shop.logger.error({ err: alertError, paymentId: payment.id }, 'could not record the credit failure alert');
  }
}

/**
 * Credits every approved payment the ledger does not have yet (after a crash, or a credit that
 * failed). Safe to run anywhere, any number of times, by several replicas at once. Returns how
 * many payments it settled.
 */
export async function settlePayments(shop: Shop, options: { limit?: number } = {}): Promise<number> {
  const due = await paymentsOf(shop).listUncredited(options.limit ?? 100);
  let settled = 0;
  for (const payment of due) {
    try {
      await creditPayment(shop, payment);
      settled++;
    } catch (error) {
      shop.logger.error({ err: error, paymentId: payment.id }, 'crediting an approved payment failed; the next sweep tries again');
      await alertCreditFailed(shop, payment, error);
    }
  }
  return settled;
}
