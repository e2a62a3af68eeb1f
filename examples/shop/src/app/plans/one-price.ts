import type { Plan } from '@panelkit/sdk';

/**
 * Whether a plan sells at one price set ahead: a fixed plan does (its own, a reseller's price book line, a
 * storefront's retail price). A plan the buyer composes does not: its checkout charges the SDK's quote of the parts
 * chosen (`quoteBuiltPlan`, at the plan's own part prices), so no price book line, menu price or gift applies to it,
 * and it is listed "from" its least price (`planListedPrice`). The SDK refuses a storefront menu line
 * (`setMenuItem`) and a gift (`built_plan`) for it; the shop offers no price field for it and says why.
 */
export function sellsAtOnePrice(plan: Pick<Plan, 'builder'>): boolean {
  return plan.builder === null;
}
