import type { EntitlementKind } from '../domain/entitlement.js';
import type { OrderItem } from '../domain/order.js';
import type { Panel } from '../domain/panel.js';
import type { Plan } from '../domain/plan.js';
import type { BuiltChoice, BuiltTerms } from '../domain/plan-builder.js';
import type { Money } from '../domain/money.js';
import { termsOf, type SubscriptionTerms } from '../domain/subscription-terms.js';
import type { Target } from '../domain/target.js';
import { CapacityExhaustedError, ValidationError } from '../errors.js';
import { defaultBuiltChoice, quoteBuiltPlan, splitBuiltPrice } from '../rules/plan-builder.js';
import { chooseTargets } from './placement.js';
import { targetsIn } from './plan-locations.js';

/** A checkout item as `priceBuiltItem` reads it. */
interface ItemWithChoice {
  planId: string;
  quantity: number;
  trial: boolean;
  choice?: BuiltChoice | undefined;
}

function refuse(message: string, path: string, reason: string, planId: string): ValidationError {
  return new ValidationError(message, [{ path, message: reason }], { details: { planId, reason } });
}

/**
 * Refuses to set a fixed price on a built plan (`Plan.builder`): it sells at its quote (`quoteBuiltPlan`), so a
 * storefront's menu line or a reseller's price book line would price nothing. `ValidationError` on `planId`, saying
 * what takes fixed plans only (`setter`, e.g. `a storefront sells`) and which price a built plan lacks (`price`).
 */
export function refuseBuiltPlanPrice(plan: Pick<Plan, 'id' | 'builder'>, setter: string, price: string): void {
  if (plan.builder === null) return;
  throw new ValidationError(
    `plan ${plan.id} is built by its buyer: ${setter} fixed plans only`,
    [{ path: 'planId', message: `a built plan has no one ${price}` }],
    { details: { planId: plan.id, reason: 'built_plan' } },
  );
}

/**
 * The order line of a built plan: its quote for the item's choice (`quoteBuiltPlan`), quantity 1, with the choice
 * and price frozen in `built`; `null` for an item of a fixed plan. A trial of a built plan takes the buyer's choice
 * too, or the builder's defaults without one (`defaultBuiltChoice`), quoted by the same rule: the line charges the
 * trial's price (`trialPrice`), and `built` freezes the choice and its quoted price, which a conversion to the paid
 * plan charges. `ValidationError` (with the rule's `reason` in its details) for a choice the builder refuses, a
 * choice on a fixed plan, a quantity other than 1, or a built plan bought without a choice.
 */
export function priceBuiltItem(plan: Plan, item: ItemWithChoice, trialPrice?: Money): OrderItem | null {
  if (item.choice === undefined && (plan.builder === null || !item.trial)) {
    if (plan.builder !== null)
      throw refuse(`plan ${plan.id} is built by the buyer: choose its parts`, 'items.choice', 'choice_required', plan.id);
    return null;
  }
  if (item.quantity !== 1) throw refuse('a built plan is bought one at a time', 'items.quantity', 'quantity', plan.id);
  const choice = item.choice ?? defaultBuiltChoice(plan.builder!);
  const decision = quoteBuiltPlan(plan, choice);
  if (!decision.allowed) {
    const path = decision.part === null ? 'items.choice' : `items.choice.${decision.part}`;
    throw refuse(`the choice for plan ${plan.id} is refused: ${decision.reason}`, path, decision.reason, plan.id);
  }
  const { price, choice: filled } = decision.quote;
  const built = { choice: filled, price };
  if (item.trial)
    return { planId: plan.id, quantity: 1, unitPrice: trialPrice ?? { amount: 0, currency: price.currency }, trial: true, built };
  return { planId: plan.id, quantity: 1, unitPrice: price, trial: false, built };
}

/** What each unit of a built line paid before a discount: its quote split over its subscriptions; `null` for a fixed line. */
export function builtUnits(item: OrderItem): number[] | null {
  if (item.built === undefined) return null;
  return splitBuiltPrice(item.unitPrice.amount, item.built.choice.locations?.length ?? 1);
}

/** One subscription of a built plan: where it goes and what it is sold. */
export interface BuiltUnit {
  target: Target;
  terms: SubscriptionTerms;
}

/**
 * The subscriptions of a built line: one per chosen location (one when the plan has no locations part), each on a
 * target in its location chosen as `chooseTargets` would (counting into `planned`, skipping `full`), with terms
 * that freeze the built period, traffic, device limit, its share of the price and the choice.
 * `CapacityExhaustedError` (`location_full`, with the `location`) when a chosen location has no room.
 */
export function placeBuiltLine(
  plan: Plan,
  line: OrderItem,
  targets: readonly Target[],
  panels: readonly Panel[],
  planned: Map<string, number>,
  full: ReadonlySet<string>,
): BuiltUnit[] {
  const built = line.built!;
  const decision = quoteBuiltPlan(plan, built.choice);
  if (!decision.allowed)
    throw refuse(`the choice for plan ${plan.id} is refused: ${decision.reason}`, 'items.choice', decision.reason, plan.id);
  const locations: (string | null)[] = decision.quote.terms.locations.length > 0 ? decision.quote.terms.locations : [null];
  return locations.map((location) => {
    const target = chooseIn(plan, 1, location, targets, panels, planned, full, plan.kinds[0]!)[0]!;
    const terms = builtTermsOf(plan, { ...built, location }, built.price)!;
    return { target, terms };
  });
}

/**
 * The terms of one subscription of a built plan: the plan's terms with the period, traffic and device limit of
 * `built.choice` quoted on `plan`, the subscription's share of `price` (split over the choice's locations; its own
 * is `built.location`) and the sale frozen with `price`. `null` when `plan`'s builder refuses the choice now.
 */
export function builtTermsOf(plan: Plan, built: Omit<BuiltTerms, 'price'>, price: Money): SubscriptionTerms | null {
  const decision = quoteBuiltPlan(plan, built.choice);
  if (!decision.allowed) return null;
  const sold = decision.quote.terms;
  const count = Math.max(1, sold.locations.length);
  const index = built.location === null ? 0 : Math.max(0, sold.locations.indexOf(built.location));
  return {
    ...termsOf(plan),
    price: { amount: splitBuiltPrice(price.amount, count)[index]!, currency: price.currency },
    durationDays: sold.durationDays,
    trafficBytes: sold.trafficBytes,
    deviceLimit: sold.deviceLimit,
    built: { choice: built.choice, price: { ...price }, location: built.location },
  };
}

/** What `built.choice` costs on `plan` now (`quoteBuiltPlan`), or the price it was sold at when the builder refuses it. */
export function requotedPrice(plan: Plan, built: BuiltTerms): Money {
  const decision = quoteBuiltPlan(plan, built.choice);
  return decision.allowed ? decision.quote.price : built.price;
}

/**
 * `chooseTargets` of `kind` clients among the targets in `location` (every target when `null`). `CapacityExhaustedError` with
 * `reason: 'location_full'` and the `location` when that location has no room.
 */
export function chooseIn(
  plan: Plan,
  count: number,
  location: string | null,
  targets: readonly Target[],
  panels: readonly Panel[],
  planned: Map<string, number>,
  full: ReadonlySet<string>,
  kind: EntitlementKind,
): Target[] {
  if (location === null) return chooseTargets(plan, count, targets, panels, planned, full, kind);
  try {
    return chooseTargets(plan, count, targetsIn(location, targets, panels), panels, planned, full, kind);
  } catch (error) {
    if (!CapacityExhaustedError.is(error)) throw error;
    throw new CapacityExhaustedError(`location ${location} has no room for plan ${plan.id}`, {
      details: { planId: plan.id, reason: 'location_full', location },
    });
  }
}

/**
 * Checks a fixed plan's item pinned to `location`: the plan must allow it (`placement.allowedLocations`, any when
 * empty), and a built plan names its locations in its choice instead. `ValidationError` otherwise.
 */
export function checkPinnedLocation(plan: Plan, item: ItemWithChoice & { location?: string | undefined }): void {
  if (item.location === undefined) return;
  if (item.choice !== undefined || plan.builder !== null)
    throw refuse('a built plan takes its locations in its choice', 'items.location', 'location_in_choice', plan.id);
  const allowed = plan.placement.allowedLocations;
  if (allowed.length > 0 && !allowed.includes(item.location))
    throw refuse(`plan ${plan.id} is not sold in ${item.location}`, 'items.location', 'location_not_offered', plan.id);
}
