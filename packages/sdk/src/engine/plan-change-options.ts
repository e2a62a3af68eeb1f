import { IdSchema } from '../domain/common.js';
import type { Plan } from '../domain/plan.js';
import { parseInput } from '../domain/validate.js';
import type { EngineContext } from './context.js';
import { loadPlanChangeStart, quoteFromStart } from './plan-change.js';
import type { PlanChangeQuoteResult } from './plan-change.js';
import { plansSoldTo } from './storefront-sale.js';

/** A plan a subscription's buyer may move it to, as they would buy it, and the quote for moving there now. */
export interface PlanChangeOption {
  /** The plan at the buyer's prices (a storefront's buyer: its retail price; a reseller: their price book's). */
  plan: Plan;
  /** What `quotePlanChange` answers for it: allowed with its charge or refund, or the rule's reason. */
  quote: PlanChangeQuoteResult;
}

/**
 * The plans a subscription's buyer may move it to, each quoted now (with a code's decision when `discountCode` is
 * given): every other plan on sale that they may buy (a storefront's buyer: only those on its menu, at its retail
 * prices), in `plans.list` order. A plan sold to them that the rule refuses (another currency, a group too large…)
 * is listed with its reason; a plan not sold to them is not listed (`quotePlanChange` and `changePlan` refuse it:
 * `not_on_menu`). `NotFoundError` for a missing subscription. Writes nothing.
 */
export async function planChangeOptions(
  ctx: EngineContext,
  subscriptionId: string,
  options: { discountCode?: string | undefined } = {},
): Promise<PlanChangeOption[]> {
  const id = parseInput(IdSchema, subscriptionId, 'subscription id');
  const [start, onSale] = await Promise.all([loadPlanChangeStart(ctx.storage, id), ctx.storage.plans.list({ onSale: true })]);
  const others = onSale.filter((plan) => plan.id !== start.sub.planId);
  const [plans, members] = await Promise.all([
    plansSoldTo(ctx.storage, start.buyer, others),
    ctx.storage.sharing.members(start.sub.id).then((m) => m.length),
  ]);
  return Promise.all(plans.map(async (plan) => ({ plan, quote: await quoteFromStart(ctx, start, plan, { ...options, members }) })));
}
