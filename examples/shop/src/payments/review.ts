import { paymentsOf, type Payment } from '../db/payments.js';
import { HttpError } from '../http/http-error.js';
import type { Shop } from '../stack/shop.js';
import { alertCreditFailed, creditPayment, settlePayments } from './settle.js';

export interface ReviewResult {
  payment: Payment;
  /** Whether the wallet has the money yet (false: crediting failed and the sweep will retry). */
  credited: boolean;
}

/**
 * An admin's decision on a pending payment. The status flips in one conditional update, so two
 * admins (or an approve racing a reject) produce one outcome; the loser gets "already reviewed".
 * An approval is then credited, and the sweep runs to finish any earlier payment left uncredited.
 */
export async function reviewPayment(
  shop: Shop,
  input: { paymentId: string; decision: 'approved' | 'rejected'; reviewerId: string; note: string | null },
): Promise<ReviewResult> {
  const payments = paymentsOf(shop);
  const payment = await payments.review(input.paymentId, input.decision, input.reviewerId, input.note);
  if (payment === null) {
    const existing = await payments.get(input.paymentId);
    if (existing === null) throw new HttpError(404, 'errors.notFound');
    throw new HttpError(409, 'adminMoney.errors.alreadyReviewed');
  }
  if (payment.status === 'approved') {
    // Money first: if anything after this fails, the buyer is still paid (and the sweep would pay them anyway).
    try {
      await creditPayment(shop, payment);
    } catch (error) {
      shop.logger.error({ err: error, paymentId: payment.id }, 'crediting an approved payment failed; the settle sweep will retry');
      await alertCreditFailed(shop, payment, error);
    }
  }
  await shop.storage.audit.append({
    actor: { type: 'admin', id: input.reviewerId },
    action: input.decision === 'approved' ? 'payment.approved' : 'payment.rejected',
    subjectType: 'customer',
    subjectId: payment.customerId,
    data: {
      paymentId: payment.id,
      provider: payment.provider,
      amount: payment.amount.amount,
      currency: payment.amount.currency,
      note: input.note,
    },
  });
  if (payment.status !== 'approved') return { payment, credited: false };
  await settlePayments(shop);
  const settled = (await payments.get(payment.id)) ?? payment;
  return { payment: settled, credited: settled.creditedEntryId !== null };
}
