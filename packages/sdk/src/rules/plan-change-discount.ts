import { decideDiscount } from './discount.js';
import type { DiscountDecision, DiscountInput } from './discount.js';
import type { PlanChangeQuote } from './plan-change.js';

/** Where a plan change lands, for a code limited to locations. */
export interface PlanChangePlace {
  /** True when the subscription moves to another panel (the destination is chosen after the price). */
  moves: boolean;
  /** The current panel's location tags (`Panel.locationTags`): where an in-place change stays. */
  panelLocations: readonly string[];
  /** The new plan's allowed locations (`Plan.placement.allowedLocations`): where a move may land. */
  planLocations: readonly string[];
}

/**
 * What a code is judged on for a plan change: the `plan_change` use, the new plan, and the prorated
 * amount due (`change.charge`, the new price less the credit), never the new plan's list price. A
 * change that costs nothing (a downgrade, whose leftover credit goes back to the wallet) has nothing
 * for a code to take off. An in-place change is where its panel is (`on: 'panel'`); a move is judged
 * like a new order, on every location the new plan may be placed in (`on: 'plan'`).
 */
export function planChangeDiscountTerms(
  change: Pick<PlanChangeQuote, 'newPlanId' | 'charge'>,
  place: PlanChangePlace,
): Pick<DiscountInput, 'use' | 'planId' | 'price' | 'locations' | 'on'> {
  return {
    use: 'plan_change',
    planId: change.newPlanId,
    price: { ...change.charge },
    locations: place.moves ? place.planLocations : place.panelLocations,
    on: place.moves ? 'plan' : 'panel',
  };
}

/** What `decidePlanChangeDiscount` decides on: the plan change's quote, where it lands, and the code with its uses. */
export type PlanChangeDiscountInput = Omit<DiscountInput, 'use' | 'planId' | 'price' | 'locations' | 'on'> &
  PlanChangePlace & {
    change: Pick<PlanChangeQuote, 'newPlanId' | 'charge'>;
  };

/**
 * Whether a code may be spent on a plan change, and what it takes off the amount due: `decideDiscount`
 * (the same rule as a purchase, an extension or a top-up) on `planChangeDiscountTerms`. The minimum
 * applies to the prorated amount due; a downgrade or a free change is refused `nothing_to_discount`.
 * The quote's `price` is what is debited; the change's `refund` is not touched by a code.
 */
export function decidePlanChangeDiscount(input: PlanChangeDiscountInput): DiscountDecision {
  const { change, moves, panelLocations, planLocations, ...rest } = input;
  return decideDiscount({ ...rest, ...planChangeDiscountTerms(change, { moves, panelLocations, planLocations }) });
}
