import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { planAsSold } from '../domain/subscription-terms.js';
import { NotFoundError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';

/**
 * The plan as `sub` was sold it (its frozen terms over today's plan): what every decision about an
 * existing subscription reads — extension, renewal, traffic top-up, the value a plan change prorates —
 * so that editing a plan changes only what new buyers get. Throws `NotFoundError` when the plan is gone.
 */
export async function soldPlan(repos: Pick<StorageRepositories, 'plans'>, sub: Subscription): Promise<Plan> {
  const plan = await repos.plans.get(sub.planId);
  if (plan === null) throw new NotFoundError('plan', sub.planId);
  return planAsSold(plan, sub);
}
