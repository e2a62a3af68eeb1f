import type { ChangePlanResult } from '@panelkit/sdk';
import { StorefrontRefusedError } from '@panelkit/sdk/storefronts';
import type { Shop } from '../shop.js';
import type { Refusal } from '../subscriptions/refusals.js';
import { sellingRefusal } from './refusals.js';

/** What a plan change came to, for every channel alike: the engine's result, or why not (nothing charged). */
export type PlanChangeOutcome = { ok: true; result: ChangePlanResult } | { ok: false; refusal: Refusal };

/** A plan that is not on sale to this buyer: missing, off sale, or one their storefront does not sell. */
export const NOT_ON_SALE: Refusal = { code: 'not_found', key: 'planChange.reasons.not_on_sale', reason: 'not_on_sale' };

/** The SDK's refusal of a plan the buyer's storefront does not sell (`not_on_menu`), as {@link NOT_ON_SALE}; else `null`. */
export function notSoldToBuyer(error: unknown): Refusal | null {
  return StorefrontRefusedError.is(error) && error.reason === 'not_on_menu' ? NOT_ON_SALE : null;
}

/**
 * A buyer moves one of their subscriptions (the caller checked it is theirs) to another plan on sale to them (a
 * storefront's buyer: on its storefront's menu; `planChangeOptionsFor` lists them), paying the difference from the wallet or getting it back: the one use case the web page, the JSON API
 * and the bot call. The same `idempotencyKey` again changes once.
 */
export async function changePlanFor(
  shop: Shop,
  customerId: string,
  subscriptionId: string,
  request: { planId: string; idempotencyKey: string; discountCode?: string | undefined },
): Promise<PlanChangeOutcome> {
  const plan = await shop.storage.plans.get(request.planId);
  if (plan === null || !plan.onSale) return { ok: false, refusal: NOT_ON_SALE };
  try {
    const result = await shop.kit.changePlan({
      subscriptionId,
      planId: plan.id,
      idempotencyKey: request.idempotencyKey,
      ...(request.discountCode === undefined || request.discountCode === '' ? {} : { discountCode: request.discountCode }),
      actor: { type: 'customer', id: customerId },
    });
    return { ok: true, result };
  } catch (error) {
    // A storefront's buyer moves only to a plan its storefront sells: the SDK refuses the others (`not_on_menu`).
    const refusal = notSoldToBuyer(error) ?? sellingRefusal('planChange', error);
    if (refusal === null) throw error;
    return { ok: false, refusal };
  }
}
