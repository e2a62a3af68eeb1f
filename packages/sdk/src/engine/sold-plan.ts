import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { planAsSold } from '../domain/subscription-terms.js';
import { NotFoundError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { buyerPlan } from './buyer-price.js';

/**
 * The plan as `sub` was sold it (its frozen terms over today's plan): what every decision about an
 * existing subscription reads — extension, renewal, traffic top-up, the value a plan change prorates —
 * so that editing a plan (or a reseller's price book) changes only what new buyers get. A subscription
 * without frozen terms follows today's plan at its customer's prices (`buyerPlan`). Throws
 * `NotFoundError` when the plan is gone.
 */
export async function soldPlan(repos: Pick<StorageRepositories, 'plans' | 'priceBooks'>, sub: Subscription): Promise<Plan> {
  const plan = await repos.plans.get(sub.planId);
  if (plan === null) throw new NotFoundError('plan', sub.planId);
  if (sub.terms === null) return buyerPlan(repos, sub.customerId, plan);
  return planAsSold(plan, sub);
}
