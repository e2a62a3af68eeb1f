import type { BuiltChoice, BuiltPlanDecision } from '@panelkit/sdk/plan-builder';
import { quoteBuiltPlan } from '@panelkit/sdk/plan-builder';
import type { Shop } from '../shop.js';

/**
 * What a choice on a plan the buyer composes costs and sells (the engine's one rule, `quoteBuiltPlan`), or `null`
 * when the plan is not on sale. The one use case behind `POST /api/v1/plans/:id/quote`, the web's builder and the bot.
 */
export async function quoteBuiltPlanFor(shop: Shop, planId: string, choice: BuiltChoice): Promise<BuiltPlanDecision | null> {
  const plan = await shop.storage.plans.get(planId);
  if (plan === null || !plan.onSale) return null;
  return quoteBuiltPlan(plan, choice);
}
