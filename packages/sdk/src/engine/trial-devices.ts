import type { JsonObject } from '../domain/common.js';
import type { Subscription } from '../domain/subscription.js';
import type { StorageRepositories } from '../ports/storage.js';
import { hwidTrialKey } from '../trials/identity.js';
import { TRIAL_REFUSAL_SUBJECT } from './trial-claims.js';
import type { TrialRefusalFacts } from './trial-claims.js';

/**
 * A device's hardware id meets a trial only when the device first asks for the trial's link (at checkout the buyer
 * has no device yet): claims the id in the plan family for the trial's customer, first of all locks. True when the
 * device already took a trial of the family on another account; the refusal is recorded for the owner in the same
 * transaction, and the device is not registered (so it is not served).
 */
export async function claimTrialDevice(tx: StorageRepositories, sub: Subscription, hwid: string): Promise<boolean> {
  const plan = await tx.plans.get(sub.planId);
  if (plan === null) return false;
  const key = hwidTrialKey(hwid).key;
  const result = await tx.trialClaims.claim({ family: plan.family, keys: [key], customerId: sub.customerId });
  if (result.claimed) return false;
  const facts: TrialRefusalFacts & { subscriptionId: string } = {
    planId: plan.id,
    family: plan.family,
    reason: 'already_used',
    matched: ['hwid'],
    subscriptionId: sub.id,
  };
  await tx.audit.append({
    actor: { type: 'customer', id: sub.customerId },
    action: 'trial.refused',
    subjectType: TRIAL_REFUSAL_SUBJECT,
    subjectId: sub.customerId,
    data: facts as unknown as JsonObject,
  });
  return true;
}
