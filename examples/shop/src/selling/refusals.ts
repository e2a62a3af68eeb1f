import { CapacityExhaustedError, ConflictError, EligibilityError, InsufficientFundsError } from '@panelkit/sdk';
import type { Refusal } from '../subscriptions/refusals.js';

/**
 * Why buying traffic (`area` `traffic`) or changing plan (`planChange`) was refused (nothing was
 * charged), or `null` for an error that is not the buyer's to fix.
 */
export function sellingRefusal(area: 'traffic' | 'planChange', error: unknown): Refusal | null {
  if (InsufficientFundsError.is(error)) {
    return { status: 402, key: `${area}.refused.insufficient_funds`, reason: 'insufficient_funds', funds: { balance: error.balance, required: error.required, currency: error.currency } };
  }
  if (CapacityExhaustedError.is(error)) return { status: 409, key: `${area}.refused.sold_out`, reason: 'sold_out' };
  if (EligibilityError.is(error)) {
    const reason = error.reasons[0] ?? 'not_eligible';
    return { status: 409, key: `${area}.reasons.${reason}`, reason };
  }
  if (ConflictError.is(error)) {
    const inProgress = error.details?.['reason'] === 'change_in_progress';
    return { status: 409, key: inProgress ? `${area}.refused.change_in_progress` : 'errors.conflict', reason: inProgress ? 'change_in_progress' : 'conflict' };
  }
  return null;
}
