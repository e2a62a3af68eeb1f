import type { Money } from '../domain/money.js';
import type { Plan } from '../domain/plan.js';
import type { PriceBookEntry } from '../domain/price-book.js';

/** Where a buyer's price came from: the plan's list, or the buyer's price book. */
export type BuyerPriceSource = 'list' | 'price_book';

/** Why a price book line was not used; machine-readable. */
export type PriceBookIgnoredReason =
  /** The line is for another plan (a caller's mistake; the list price stands). */
  | 'other_plan'
  /** The plan's currency changed since the line was written: the list price stands until it is rewritten. */
  | 'currency_mismatch'
  /** The plan is built by its buyer (`Plan.builder`): it sells at its quote, a line prices nothing of it. */
  | 'built_plan';

/** What `priceForBuyer` answers: the plan with the prices this buyer pays, and where they came from. */
export interface BuyerPrice<P extends BuyerPricedPlan = BuyerPricedPlan> {
  /** The plan as this buyer buys it: `price`, `extension.price` and `trafficTopUp.pricePerGiB` are the buyer's. */
  plan: P;
  source: BuyerPriceSource;
  /** Set when a line was given and not used. */
  ignored?: PriceBookIgnoredReason;
}

/** The parts of a plan a price book changes (and `builder`: a built plan's are not). */
export type BuyerPricedPlan = Pick<Plan, 'id' | 'price' | 'extension' | 'trafficTopUp'> & Partial<Pick<Plan, 'builder'>>;

/** `amount × num / den`, rounded half up, in exact integer arithmetic (no float drift on large amounts). */
function scale(amount: number, num: number, den: number): number {
  const n = BigInt(amount) * BigInt(num) * 2n + BigInt(den);
  return Number(n / (BigInt(den) * 2n));
}

function scaled(list: Money, entry: PriceBookEntry, plan: BuyerPricedPlan): Money {
  // A free plan gives no ratio to scale by: the list price stands.
  if (plan.price.amount === 0) return { ...list };
  return { amount: scale(list.amount, entry.price.amount, plan.price.amount), currency: list.currency };
}

/**
 * The prices a buyer pays for a plan, from its price book line (`null`: not a reseller, or no line
 * for this plan): the list prices, or the line's. Applied the same way to every purchase path — the
 * engine prices a checkout with it and freezes the result into the subscription's terms, which
 * renewal, extension and traffic top-up then charge.
 *
 * - `price` is the line's price.
 * - `extension.price`: the line's `extensionPrice`; when that is `null`, the plan's extension price
 *   scaled by `line.price / plan.price` (rounded half up), or `null` (= the period price, i.e. the
 *   line's) when the plan has none.
 * - `trafficTopUp.pricePerGiB`: the line's `trafficPricePerGiB`; when `null`, the plan's scaled the
 *   same way, never below 1 minor unit. A plan without a top-up offer still has none.
 * - A free plan (`plan.price` 0) has no ratio: unset prices stay the list ones.
 * - A line in another currency than the plan, or for another plan, is ignored (`ignored` says why).
 * - So is a line on a built plan (`builder`, written before `setPrice` refused one): the plan sells at its quote, and
 *   its extension and top-up prices are the plan's own.
 */
export function priceForBuyer<P extends BuyerPricedPlan>(plan: P, entry: PriceBookEntry | null): BuyerPrice<P> {
  if (entry === null) return { plan, source: 'list' };
  if (entry.planId !== plan.id) return { plan, source: 'list', ignored: 'other_plan' };
  if (entry.price.currency !== plan.price.currency) return { plan, source: 'list', ignored: 'currency_mismatch' };
  if (plan.builder != null) return { plan, source: 'list', ignored: 'built_plan' };
  const listExtension = plan.extension.price;
  const extensionPrice = entry.extensionPrice ?? (listExtension === null ? null : scaled(listExtension, entry, plan));
  const offer = plan.trafficTopUp;
  const trafficTopUp =
    offer === null
      ? null
      : {
          ...offer,
          pricePerGiB: entry.trafficPricePerGiB ?? {
            ...scaled(offer.pricePerGiB, entry, plan),
            amount: Math.max(1, scaled(offer.pricePerGiB, entry, plan).amount),
          },
        };
  return {
    plan: {
      ...plan,
      price: { ...entry.price },
      extension: { ...plan.extension, price: extensionPrice === null ? null : { ...extensionPrice } },
      trafficTopUp: trafficTopUp === null ? null : { ...trafficTopUp, pricePerGiB: { ...trafficTopUp.pricePerGiB } },
    },
    source: 'price_book',
  };
}

/**
 * Plans priced by a customer's price book lines already read (`customers.getWithPriceBook`, `priceBooks.list`): each
 * by its own line (`priceForBuyer`), a plan without one at its list prices; in the order given. What `buyerPlan`
 * answers, without a read.
 */
export function plansPricedByBook<P extends BuyerPricedPlan>(plans: readonly P[], book: readonly PriceBookEntry[]): P[] {
  const lines = new Map(book.map((entry) => [entry.planId, entry]));
  return plans.map((plan) => priceForBuyer(plan, lines.get(plan.id) ?? null).plan);
}
