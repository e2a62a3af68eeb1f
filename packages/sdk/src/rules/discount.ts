import type { DiscountCode, DiscountUse } from '../domain/discount.js';
import type { Money } from '../domain/money.js';

/** Why `decideDiscount` refuses a code. */
export type DiscountDenyReason =
  /** No code with this text (the engine's answer; the rule itself always has a code). */
  | 'unknown_code'
  /** Turned off by an admin. */
  | 'disabled'
  /** Made for another customer (`DiscountCode.customerId`): only its owner may use it. */
  | 'wrong_customer'
  /** Before its `startsAt`. */
  | 'not_started'
  /** At or after its `endsAt`. */
  | 'expired'
  /** Every use has been taken. */
  | 'exhausted'
  /** This customer has taken its uses. */
  | 'customer_exhausted'
  /** Not for this kind of purchase (`appliesTo`). */
  | 'wrong_use'
  /** Not for this plan. */
  | 'wrong_plan'
  /** Not for this location. */
  | 'wrong_location'
  /** The price is below its `minAmount`. */
  | 'below_minimum'
  /** Only for a first purchase, and this customer has paid for one before. */
  | 'not_first_purchase'
  /** A fixed amount or minimum in another currency than the price. */
  | 'wrong_currency'
  /** Nothing to take off (a free item). */
  | 'nothing_to_discount'
  /**
   * The buyer buys through a reseller's storefront (`Customer.storefrontId`): the shop's codes are the owner's, and
   * what one took off would come out of the reseller's margin (see `takesDiscountCodes`). The engine's answer, whatever
   * the code (an unknown one too), on every purchase: checkout, extension, plan change, traffic top-up, renewal.
   */
  | 'storefront_buyer';

/** The terms of an allowed discount. */
export interface DiscountQuote {
  codeId: string;
  code: string;
  /** The price before the discount. */
  original: Money;
  /** What the code takes off: at most `original`. */
  discount: Money;
  /** What is paid: `original` − `discount`, never below zero. */
  price: Money;
}

/** `decideDiscount`'s answer: the quote, or why not. */
export type DiscountDecision = { allowed: true; quote: DiscountQuote } | { allowed: false; reason: DiscountDenyReason };

/** What `decideDiscount` decides on. */
export interface DiscountInput {
  code: Pick<
    DiscountCode,
    | 'id'
    | 'code'
    | 'value'
    | 'planIds'
    | 'locations'
    | 'minAmount'
    | 'startsAt'
    | 'endsAt'
    | 'maxUses'
    | 'maxUsesPerCustomer'
    | 'firstPurchaseOnly'
    | 'customerId'
    | 'appliesTo'
    | 'disabled'
    | 'uses'
  >;
  use: DiscountUse;
  /** Who spends it (a code made for one customer refuses everyone else). */
  customerId: string;
  /** The plan bought, extended or renewed. */
  planId: string;
  /**
   * Where the purchase lands. For a live subscription (`on: 'panel'`): its panel's location tags, and
   * one of them in the code's list is enough. For a new order (`on: 'plan'`, the default): the plan's
   * allowed locations, every one of which must be in the code's list (`[]`, a plan placed anywhere,
   * never qualifies for a location-limited code), since the panel is chosen after the price.
   */
  locations: readonly string[];
  /** See `locations`; default `plan`. */
  on?: 'plan' | 'panel';
  /** The price before the discount (the whole order for a purchase). */
  price: Money;
  /** Uses of this code the customer has now (released ones not counted). */
  customerUses: number;
  /** Whether the customer has a paid order that was not refunded. */
  hasPaidOrder: boolean;
  now: Date;
}

/** `amount` × `percent` / 100, rounded down, in integers (no float error for any safe amount). */
export function percentOf(amount: number, percent: number): number {
  return Math.floor(amount / 100) * percent + Math.floor(((amount % 100) * percent) / 100);
}

/**
 * Whether the code may be spent on this purchase now, and what it takes off. A code limited to some
 * locations applies to a new order only when every location the plan may be placed in is one of them
 * (a plan placed anywhere does not qualify), since the panel is chosen after the price.
 */
export function decideDiscount(input: DiscountInput): DiscountDecision {
  const { code, price, now } = input;
  const deny = (reason: DiscountDenyReason): DiscountDecision => ({ allowed: false, reason });
  // First: a code made for someone else tells another buyer nothing more about itself.
  if (code.customerId !== null && code.customerId !== input.customerId) return deny('wrong_customer');
  if (code.disabled) return deny('disabled');
  if (code.startsAt !== null && now.getTime() < code.startsAt.getTime()) return deny('not_started');
  if (code.endsAt !== null && now.getTime() >= code.endsAt.getTime()) return deny('expired');
  if (!code.appliesTo.includes(input.use)) return deny('wrong_use');
  if (code.planIds.length > 0 && !code.planIds.includes(input.planId)) return deny('wrong_plan');
  if (code.locations.length > 0) {
    const inCode = (l: string) => code.locations.includes(l);
    const fits = input.on === 'panel' ? input.locations.some(inCode) : input.locations.length > 0 && input.locations.every(inCode);
    if (!fits) return deny('wrong_location');
  }
  if (code.firstPurchaseOnly && (input.use !== 'purchase' || input.hasPaidOrder)) return deny('not_first_purchase');
  if (code.maxUses !== null && code.uses >= code.maxUses) return deny('exhausted');
  if (code.maxUsesPerCustomer !== null && input.customerUses >= code.maxUsesPerCustomer) return deny('customer_exhausted');
  if (code.minAmount !== null) {
    if (code.minAmount.currency !== price.currency) return deny('wrong_currency');
    if (price.amount < code.minAmount.amount) return deny('below_minimum');
  }
  if (price.amount <= 0) return deny('nothing_to_discount');
  let off: number;
  if (code.value.type === 'percent') off = percentOf(price.amount, code.value.percent);
  else {
    if (code.value.amount.currency !== price.currency) return deny('wrong_currency');
    off = Math.min(code.value.amount.amount, price.amount);
  }
  if (off <= 0) return deny('nothing_to_discount');
  return {
    allowed: true,
    quote: {
      codeId: code.id,
      code: code.code,
      original: { ...price },
      discount: { amount: off, currency: price.currency },
      price: { amount: price.amount - off, currency: price.currency },
    },
  };
}

/**
 * Splits a discount over the units of an order so that each unit's paid price is known (a unit that
 * fails is refunded exactly what was paid for it): `prices[i]` less its share, shares in proportion to
 * the prices, rounded down, the remainder taken from the first units that can bear it. The shares
 * add up to `discount`, and no unit goes below zero.
 */
export function splitDiscount(prices: readonly number[], discount: number): number[] {
  const total = prices.reduce((a, b) => a + b, 0);
  if (discount <= 0 || total <= 0) return [...prices];
  const off = Math.min(discount, total);
  const shares = prices.map((p) => Number((BigInt(p) * BigInt(off)) / BigInt(total)));
  let rest = off - shares.reduce((a, b) => a + b, 0);
  for (let i = 0; i < prices.length && rest > 0; i++) {
    const room = prices[i]! - shares[i]!;
    const take = Math.min(room, rest);
    shares[i] = shares[i]! + take;
    rest -= take;
  }
  return prices.map((p, i) => p - shares[i]!);
}
