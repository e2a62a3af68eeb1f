import type { Plan, Trial } from '../domain/plan.js';

/** Why `decideTrial` says no: the plan has no trial, is off sale, or the customer had one in this plan family. */
export type TrialDenyReason = 'no_trial' | 'not_on_sale' | 'already_used';

/** What `decideTrial` answers: the trial's terms, or a reason. */
export type TrialDecision = { allowed: true; trial: Trial } | { allowed: false; reason: TrialDenyReason };

/** Input of `decideTrial`. */
export interface TrialInput {
  plan: Pick<Plan, 'trial' | 'family' | 'onSale'>;
  /** Families of every plan the customer has had a trial of, ever (terminated ones included). */
  usedTrialFamilies: readonly string[];
}

/** One free trial per customer per plan family. */
export function decideTrial({ plan, usedTrialFamilies }: TrialInput): TrialDecision {
  if (plan.trial === null) return { allowed: false, reason: 'no_trial' };
  if (!plan.onSale) return { allowed: false, reason: 'not_on_sale' };
  if (usedTrialFamilies.includes(plan.family)) return { allowed: false, reason: 'already_used' };
  return { allowed: true, trial: plan.trial };
}
