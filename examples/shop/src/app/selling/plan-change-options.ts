import type { PlanChangeQuoteResult } from '@panelkit/sdk';
import type { PlanChangeOption } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import type { Refusal } from '../subscriptions/refusals.js';
import { NOT_ON_SALE, notSoldToBuyer } from './change-plan.js';

const withCode = (discountCode: string | undefined) => (discountCode === undefined || discountCode === '' ? {} : { discountCode });

/**
 * The plans a buyer may move one of their subscriptions to (the caller checked it is theirs), each at the buyer's
 * prices with its quote now (and the code's decision when one is given): a storefront's buyer only the plans its
 * menu sells, at its retail prices. The SDK's one rule (`kit.planChangeOptions`); what the web page, the bot and any
 * other channel offer.
 */
export function planChangeOptionsFor(shop: Shop, subscriptionId: string, discountCode?: string): Promise<PlanChangeOption[]> {
  return shop.kit.planChangeOptions(subscriptionId, withCode(discountCode));
}

/** A quote for one plan, or why that plan is not the buyer's to move to. */
export type PlanChangeQuoteOutcome = { ok: true; quote: PlanChangeQuoteResult } | { ok: false; refusal: Refusal };

/**
 * The quote for moving a buyer's subscription to one plan now (a code's decision with it when given): a plan that is
 * missing, off sale or not sold to this buyer (their storefront's menu) is `not_on_sale` (404 on the web), as
 * `changePlanFor` refuses it. Writes nothing.
 */
export async function quotePlanChangeFor(
  shop: Shop,
  subscriptionId: string,
  planId: string,
  discountCode?: string,
): Promise<PlanChangeQuoteOutcome> {
  const plan = await shop.storage.plans.get(planId);
  if (plan === null || !plan.onSale) return { ok: false, refusal: NOT_ON_SALE };
  try {
    return { ok: true, quote: await shop.kit.quotePlanChange(subscriptionId, plan.id, withCode(discountCode)) };
  } catch (error) {
    const refusal = notSoldToBuyer(error);
    if (refusal === null) throw error;
    return { ok: false, refusal };
  }
}
