import { EligibilityError, type PaymentResult } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { toShopPayment, type Payment } from './records.js';

export interface ReviewResult {
  payment: Payment;
  /** Whether the wallet has the money now. */
  credited: boolean;
}

/** What an admin may decide: approve a receipt, reject it, or mark a gateway's payment paid. */
export type ReviewDecision = 'approved' | 'rejected' | 'mark_paid';

/** The longest note a decision may carry (the buyer reads it). */
export const REVIEW_NOTE_MAX = 500;

/**
 * An admin's decision on a pending payment, made by the SDK: which decisions a payment allows is its
 * provider's declared capability (a receipt is approved or rejected; a gateway's payment is only
 * marked paid, explicitly, and the gateway's later callback then finds it credited). Of two admins,
 * or an admin and the gateway, exactly one decides; the other gets "already reviewed". The buyer is
 * told through the notification relay, from the SDK's audit event of the decision (`payment.credited`,
 * `payment.rejected`), written in the decision's own transaction. A rejection must say why (the buyer reads
 * it): without a reason, or with a note over {@link REVIEW_NOTE_MAX}, it is `invalid_input` and nothing is decided.
 */
export async function reviewPayment(
  shop: Shop,
  input: { paymentId: string; decision: ReviewDecision; reviewerId: string; note: string | null },
): Promise<ReviewResult> {
  const note = input.note?.trim() ?? '';
  // The buyer is told why: a rejection without a reason is refused, on the web and in the bot alike.
  if (input.decision === 'rejected' && note === '')
    throw new ShopError('invalid_input', 'receiptsQueue.errors.reasonRequired', {}, { note: 'receiptsQueue.errors.reasonRequired' });
  if (note.length > REVIEW_NOTE_MAX)
    throw new ShopError('invalid_input', 'adminMoney.errors.noteTooLong', {}, { note: 'adminMoney.errors.noteTooLong' });
  const existing = await shop.kit.payments.get(input.paymentId);
  if (existing === null) throw new ShopError('not_found', 'errors.notFound');
  const action = { paymentId: input.paymentId, actor: { type: 'admin' as const, id: input.reviewerId }, note: note === '' ? null : note };
  let result: PaymentResult;
  try {
    result =
      input.decision === 'approved'
        ? await shop.kit.payments.approve(action)
        : input.decision === 'mark_paid'
          ? await shop.kit.payments.markPaid(action)
          : await shop.kit.payments.reject(action);
  } catch (error) {
    if (EligibilityError.is(error)) throw new ShopError('conflict', 'adminMoney.errors.notThisWay');
    throw error;
  }
  if (result.outcome !== 'credited' && result.outcome !== 'rejected') throw new ShopError('conflict', 'adminMoney.errors.alreadyReviewed');
  const payment = toShopPayment(result.payment);
  const approved = result.outcome === 'credited';
  return { payment, credited: approved };
}
