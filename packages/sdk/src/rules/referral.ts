import type { Money } from '../domain/money.js';
import type { ReferralProgram } from '../domain/referral.js';
import { percentOf } from './discount.js';

/** Why `decideReferral` refuses to record a referral. */
export type ReferralDenyReason =
  /** The link is the customer's own (the same customer, or the same account signing up through its own link). */
  | 'self_referral'
  /** The link names no customer. */
  | 'unknown_referrer'
  /** The customer was referred already. */
  | 'already_referred'
  /** A referral is taken only at sign-up: this customer has ordered before. */
  | 'not_new_customer'
  /** The owner has the program off. */
  | 'program_off';

/** What `decideReferral` decides on. */
export interface ReferralInput {
  referrerId: string | null;
  referredId: string;
  /** Whether the referrer exists. */
  referrerExists: boolean;
  /** Whether the referred customer already has a referral. */
  alreadyReferred: boolean;
  /** Whether the referred customer has placed any order. */
  hasOrders: boolean;
  program: Pick<ReferralProgram, 'enabled'> | null;
}

/** Whether a customer signing up through a link may be recorded as referred by the link's owner. */
export function decideReferral(input: ReferralInput): { allowed: true } | { allowed: false; reason: ReferralDenyReason } {
  if (input.program === null || !input.program.enabled) return { allowed: false, reason: 'program_off' };
  if (input.referrerId === null || !input.referrerExists) return { allowed: false, reason: 'unknown_referrer' };
  if (input.referrerId === input.referredId) return { allowed: false, reason: 'self_referral' };
  if (input.alreadyReferred) return { allowed: false, reason: 'already_referred' };
  if (input.hasOrders) return { allowed: false, reason: 'not_new_customer' };
  return { allowed: true };
}

/**
 * The referrer's credit for a referred customer's first paid order of `orderTotal` (what was paid):
 * the fixed amount, or the program's share of the total rounded down and capped. Zero (nothing to
 * credit) when the program is off, the order was free, or a fixed reward is in another currency.
 */
export function referralReward(program: Pick<ReferralProgram, 'enabled' | 'reward'> | null, orderTotal: Money): Money {
  const zero = { amount: 0, currency: orderTotal.currency };
  if (program === null || !program.enabled || orderTotal.amount <= 0) return zero;
  const { reward } = program;
  if (reward.type === 'fixed') return reward.amount.currency === orderTotal.currency ? { ...reward.amount } : zero;
  let amount = percentOf(orderTotal.amount, reward.percent);
  if (reward.maxAmount !== null && reward.maxAmount.currency === orderTotal.currency) amount = Math.min(amount, reward.maxAmount.amount);
  return { amount, currency: orderTotal.currency };
}
