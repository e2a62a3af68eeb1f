import type { Money } from '../domain/money.js';
import type { Plan } from '../domain/plan.js';
import type { BuiltChoice, PlanBuilder } from '../domain/plan-builder.js';

/** Bytes in one GiB: a built plan's traffic is chosen in GiB. */
export const GIB = 2 ** 30;

/** The parts of a built plan, as named in refusals and quote lines. */
export type BuiltPart = 'base' | 'locations' | 'devices' | 'trafficGiB' | 'days';

/** Why `quoteBuiltPlan` refuses a choice. */
export type BuiltPlanDenyReason =
  /** The plan has no builder (`Plan.builder` is `null`). */
  | 'not_buildable'
  /** The choice names a part the plan's builder does not offer. */
  | 'part_not_offered'
  /** A count is not a whole number of at least 1. */
  | 'invalid_amount'
  | 'below_minimum'
  | 'above_maximum'
  /** A count between the limits that is not `min` plus a whole number of steps. */
  | 'off_step'
  /** The plan offers locations and the choice names none. */
  | 'locations_required'
  /** A chosen location is not one of the part's options. */
  | 'unknown_location'
  | 'duplicate_location'
  /** The price would pass the safe-integer range. */
  | 'too_large';

/** One line of a built plan's price: a part, how many units, at what unit price, for how much. */
export interface BuiltPlanLine {
  part: BuiltPart;
  quantity: number;
  unitPrice: Money;
  amount: Money;
}

/** The terms a built plan sells: what its subscriptions get. */
export interface BuiltPlanTerms {
  durationDays: number;
  /** `null` is unlimited (the plan's, when it has no traffic part). */
  trafficBytes: number | null;
  deviceLimit: number | null;
  /** The chosen locations, one subscription each; empty when the plan has no locations part. */
  locations: string[];
}

/** An allowed choice's price and terms. */
export interface BuiltPlanQuote {
  /** The base plus every part's quantity × unit price. */
  price: Money;
  lines: BuiltPlanLine[];
  terms: BuiltPlanTerms;
  /** The choice with every offered part filled in (a count left out is its minimum). */
  choice: BuiltChoice;
}

/** `quoteBuiltPlan`'s answer: the quote, or why not and which part. */
export type BuiltPlanDecision =
  | { allowed: true; quote: BuiltPlanQuote }
  | { allowed: false; reason: BuiltPlanDenyReason; part: BuiltPart | null };

interface Limits {
  min: number;
  max: number;
  step: number;
}

function checkCount(value: number, limits: Limits): BuiltPlanDenyReason | null {
  if (!Number.isSafeInteger(value) || value < 1) return 'invalid_amount';
  if (value < limits.min) return 'below_minimum';
  if (value > limits.max) return 'above_maximum';
  if ((value - limits.min) % limits.step !== 0) return 'off_step';
  return null;
}

const deny = (reason: BuiltPlanDenyReason, part: BuiltPart | null): BuiltPlanDecision => ({ allowed: false, reason, part });

/**
 * The one pricing rule of a built plan: whether `choice` is allowed by the plan's builder and what it costs and
 * sells. The price is the base plus, for each offered part, the chosen count × its unit price (locations counted,
 * devices, GiB of traffic, days). A part the builder does not offer keeps the plan's value (its duration, traffic,
 * device limit) and must not be named in the choice. Pure: the same plan and choice always give the same answer.
 */
export function quoteBuiltPlan(
  plan: Pick<Plan, 'builder' | 'durationDays' | 'trafficBytes' | 'deviceLimit'>,
  choice: BuiltChoice,
): BuiltPlanDecision {
  const builder = plan.builder;
  if (builder === null) return deny('not_buildable', null);
  const { currency } = builder.basePrice;
  const lines: BuiltPlanLine[] = [{ part: 'base', quantity: 1, unitPrice: builder.basePrice, amount: builder.basePrice }];
  const filled: BuiltChoice = {};
  const line = (part: BuiltPart, quantity: number, unit: Money) =>
    lines.push({ part, quantity, unitPrice: { ...unit }, amount: { amount: unit.amount * quantity, currency } });

  let locations: string[] = [];
  if (builder.locations === null) {
    if (choice.locations !== undefined) return deny('part_not_offered', 'locations');
  } else {
    const part = builder.locations;
    if (choice.locations === undefined || choice.locations.length === 0) return deny('locations_required', 'locations');
    if (new Set(choice.locations).size !== choice.locations.length) return deny('duplicate_location', 'locations');
    if (choice.locations.some((l) => !part.options.includes(l))) return deny('unknown_location', 'locations');
    const refused = checkCount(choice.locations.length, part);
    if (refused !== null) return deny(refused, 'locations');
    locations = [...choice.locations];
    filled.locations = locations;
    line('locations', locations.length, part.unitPrice);
  }

  const counts = [
    ['devices', builder.devices],
    ['trafficGiB', builder.trafficGiB],
    ['days', builder.durationDays],
  ] as const;
  for (const [key, part] of counts) {
    const chosen = choice[key];
    if (part === null) {
      if (chosen !== undefined) return deny('part_not_offered', key);
      continue;
    }
    const value = chosen ?? part.min;
    const refused = checkCount(value, part);
    if (refused !== null) return deny(refused, key);
    filled[key] = value;
    line(key, value, part.unitPrice);
  }

  const amount = lines.reduce((sum, l) => sum + l.amount.amount, 0);
  if (!Number.isSafeInteger(amount) || lines.some((l) => !Number.isSafeInteger(l.amount.amount))) return deny('too_large', null);
  return {
    allowed: true,
    quote: {
      price: { amount, currency },
      lines,
      terms: {
        durationDays: filled.days ?? plan.durationDays,
        trafficBytes: filled.trafficGiB === undefined ? plan.trafficBytes : filled.trafficGiB * GIB,
        deviceLimit: filled.devices ?? plan.deviceLimit,
        locations,
      },
      choice: filled,
    },
  };
}

/**
 * The builder's defaults: the choice a sale without one gets (a trial taken without choosing). The first `min` of
 * the location options; every count is left out, so `quoteBuiltPlan` fills in its part's minimum.
 */
export function defaultBuiltChoice(builder: PlanBuilder): BuiltChoice {
  return builder.locations === null ? {} : { locations: builder.locations.options.slice(0, builder.locations.min) };
}

/**
 * What a built plan costs at least, shown as "from …" wherever the plan is listed: the quote of the builder's
 * defaults (`defaultBuiltChoice`), by the one rule `quoteBuiltPlan`. `null` for a fixed plan (its price is
 * `Plan.price`) or a builder whose defaults it refuses.
 */
export function builtFromPrice(plan: Pick<Plan, 'builder' | 'durationDays' | 'trafficBytes' | 'deviceLimit'>): Money | null {
  if (plan.builder === null) return null;
  const decision = quoteBuiltPlan(plan, defaultBuiltChoice(plan.builder));
  return decision.allowed ? decision.quote.price : null;
}

/**
 * A built plan's price split over its `count` subscriptions (one per location), in minor units: as equal as
 * possible, the first ones taking the remainder, summing to `price` exactly.
 */
export function splitBuiltPrice(price: number, count: number): number[] {
  const share = Math.floor(price / count);
  const rest = price - share * count;
  return Array.from({ length: count }, (_, i) => share + (i < rest ? 1 : 0));
}
