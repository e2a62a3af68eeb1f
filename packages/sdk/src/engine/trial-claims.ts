import { createHash } from 'node:crypto';
import type { Actor, JsonObject } from '../domain/common.js';
import type { Customer } from '../domain/customer.js';
import type { Plan } from '../domain/plan.js';
import { EligibilityError } from '../errors.js';
import type { StoragePort, StorageRepositories } from '../ports/storage.js';
import { trialIdentityKeys } from '../trials/identity.js';
import type { TrialIdentity, TrialIdentityKind } from '../trials/identity.js';
import { usedTrialFamilies } from './trial-families.js';

/** The audit `subjectType` of a refused trial (its `subjectId` is the customer); `kit.trials.refusals` lists them. */
export const TRIAL_REFUSAL_SUBJECT = 'trial_refusal';

/** What a refused trial's audit event records (the owner's view). */
export interface TrialRefusalFacts {
  planId: string;
  family: string;
  reason: 'already_used' | 'phone_required';
  /** What matched: `account` (this customer had one) or the identity kinds another customer holds. */
  matched: ('account' | TrialIdentityKind)[];
}

/** The facts of refused trials, kept beside the error (never in it: `matched` is the owner's, not the buyer's). */
const refusals = new WeakMap<object, TrialRefusalFacts>();

/**
 * The `EligibilityError` a refused trial throws: reason `already_used` whether this customer or another account had
 * it, so neither its message nor its details say whether another account exists.
 */
export function trialRefused(facts: TrialRefusalFacts): EligibilityError {
  const error = new EligibilityError(`no trial of plan ${facts.planId}: ${facts.reason}`, [facts.reason], {
    details: { planId: facts.planId },
  });
  refusals.set(error, facts);
  return error;
}

/**
 * The key every trial checkout of a customer claims besides the buyer's identities, so that two of them (two
 * idempotency keys, two replicas) take the family's claim one after the other even for a buyer with no other key.
 */
function accountKey(customerId: string): string {
  return `account:${createHash('sha256').update(customerId).digest('hex')}`;
}

/**
 * Claims the customer's account key and the buyer's identity keys (Telegram id, e-mail, verified phone, devices) for
 * each trial line's family, in family order, inside the checkout's transaction, before anything else is locked.
 * Another customer holding one refuses the trial (`already_used`, the same reason as the customer's own earlier
 * trial). A claim waits for any open transaction that claimed one of its keys, this customer's other trial checkout
 * included: call {@link refuseTrialsTakenMeanwhile} after it, since that checkout may have committed a trial since the
 * customer's trials were read.
 */
export async function claimTrialIdentities(
  tx: StorageRepositories,
  customer: Pick<Customer, 'id' | 'email' | 'telegramId'>,
  trialPlans: readonly Plan[],
  identity: TrialIdentity | undefined,
): Promise<void> {
  if (trialPlans.length === 0) return;
  const keys = trialIdentityKeys(customer, identity);
  const claimed = [accountKey(customer.id), ...keys.map((k) => k.key)];
  // One family after another in one order, so two checkouts of one customer with two trial lines never deadlock.
  const byFamily = [...trialPlans].sort((a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : 0));
  for (const plan of byFamily) {
    const result = await tx.trialClaims.claim({ family: plan.family, keys: claimed, customerId: customer.id });
    if (!result.claimed) {
      const matched = [...new Set(keys.filter((k) => result.heldKeys.includes(k.key)).map((k) => k.kind))];
      throw trialRefused({ planId: plan.id, family: plan.family, reason: 'already_used', matched });
    }
  }
}

/**
 * Refuses (`already_used`, matched `account`) a trial line whose family the customer has had a trial of by now: read
 * after {@link claimTrialIdentities}, it sees what another trial checkout of this customer committed while the claim
 * waited for it.
 */
export async function refuseTrialsTakenMeanwhile(tx: StorageRepositories, customerId: string, trialPlans: readonly Plan[]): Promise<void> {
  if (trialPlans.length === 0) return;
  const used = await usedTrialFamilies(tx, customerId);
  const taken = trialPlans.find((plan) => used.includes(plan.family));
  if (taken !== undefined) throw trialRefused({ planId: taken.id, family: taken.family, reason: 'already_used', matched: ['account'] });
}

/** The refusal facts an error carries, when it is a refused trial. */
export function trialRefusalOf(error: unknown): TrialRefusalFacts | null {
  return typeof error === 'object' && error !== null ? (refusals.get(error) ?? null) : null;
}

/** Records a refused trial in the audit feed, for the owner (its own transaction: the checkout's rolled back). */
export async function recordTrialRefusal(storage: StoragePort, customerId: string, actor: Actor, facts: TrialRefusalFacts): Promise<void> {
  await storage.audit.append({
    actor,
    action: 'trial.refused',
    subjectType: TRIAL_REFUSAL_SUBJECT,
    subjectId: customerId,
    data: { ...facts } as unknown as JsonObject,
  });
}
