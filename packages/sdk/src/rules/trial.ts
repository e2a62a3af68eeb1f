import type { Plan, Trial } from '../domain/plan.js';

/**
 * Why `decideTrial` says no: the plan has no trial, is off sale, the person already had one in this plan family
 * (`already_used`: this customer, or another account with the same Telegram id, e-mail, verified phone or device; the
 * reason is the same either way, so a refusal never tells whether another account exists), or the plan asks for a
 * verified phone the buyer did not bring (`phone_required`).
 */
export type TrialDenyReason = 'no_trial' | 'not_on_sale' | 'already_used' | 'phone_required';

/** What `decideTrial` answers: the trial's terms, or a reason. */
export type TrialDecision = { allowed: true; trial: Trial } | { allowed: false; reason: TrialDenyReason };

/** Input of `decideTrial`. */
export interface TrialInput {
  plan: Pick<Plan, 'trial' | 'family' | 'onSale'>;
  /** Families of every plan the customer has had a trial of, ever (terminated ones included). */
  usedTrialFamilies: readonly string[];
  /** Whether one of the buyer's identity keys already holds a trial of this family for another customer (default false). */
  identityUsed?: boolean;
  /** Whether the host verified the buyer's phone and passed it (default false); asked only by a plan with `requirePhone`. */
  phoneVerified?: boolean;
}

/** One trial per person per plan family: per customer, per identity key, and with a verified phone where the plan asks. */
export function decideTrial({ plan, usedTrialFamilies, identityUsed = false, phoneVerified = false }: TrialInput): TrialDecision {
  if (plan.trial === null) return { allowed: false, reason: 'no_trial' };
  if (!plan.onSale) return { allowed: false, reason: 'not_on_sale' };
  if (usedTrialFamilies.includes(plan.family) || identityUsed) return { allowed: false, reason: 'already_used' };
  if (plan.trial.requirePhone === true && !phoneVerified) return { allowed: false, reason: 'phone_required' };
  return { allowed: true, trial: plan.trial };
}
