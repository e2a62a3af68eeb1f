import type { PlanLocation } from '@panelkit/sdk/plan-builder';
import type { Shop } from '../shop.js';

/**
 * The locations a plan on sale offers the buyer, each `available` or `busy` (never a load figure), or `null` when
 * the plan is not on sale. Behind `GET /api/v1/plans/:id/locations` and the checkout's location picker.
 */
export async function locationsOfPlan(shop: Shop, planId: string): Promise<PlanLocation[] | null> {
  const plan = await shop.storage.plans.get(planId);
  if (plan === null || !plan.onSale) return null;
  return shop.kit.planLocations(plan.id);
}
