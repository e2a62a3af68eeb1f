import type { Money } from '../domain/money.js';
import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';

/** One GiB (2^30 bytes), the unit traffic top-ups are sold in. */
export const GIB_BYTES = 1024 ** 3;

/** Why `decideTrafficTopUp` refuses a top-up. */
export type TrafficTopUpDenyReason =
  /** The subscription's plan sells no extra traffic (`Plan.trafficTopUp` is `null`). */
  | 'not_offered'
  /** The subscription has no traffic limit, so there is nothing to add to. */
  | 'unlimited'
  /** Only active and limited (out of traffic) subscriptions can buy traffic. */
  | 'not_top_upable_status'
  | 'trial'
  /** The period is over (or not started): extend or renew instead. */
  | 'period_over'
  /** Not a whole number of GiB of at least 1. */
  | 'invalid_amount'
  /** More than the plan's `maxGiBPerPurchase`. */
  | 'above_maximum'
  /** The new limit or the price would pass the safe-integer range. */
  | 'too_large';

/** The terms of an allowed top-up. */
export interface TrafficTopUpQuote {
  gib: number;
  /** What is added to the limit: `gib` × 2^30. */
  bytes: number;
  /** `gib` × the plan's price per GiB. */
  price: Money;
  /** The limit after the top-up: the current limit plus `bytes`; usage is kept, expiry unchanged. */
  newTrafficLimitBytes: number;
  /** True when the subscription is limited and the new limit lets it back to active. */
  reactivates: boolean;
}

/** `decideTrafficTopUp`'s answer: the quote, or why not. */
export type TrafficTopUpDecision = { allowed: true; quote: TrafficTopUpQuote } | { allowed: false; reason: TrafficTopUpDenyReason };

/** What `decideTrafficTopUp` decides on; `now` is the time of the purchase. */
export interface TrafficTopUpInput {
  subscription: Pick<Subscription, 'status' | 'expiresAt' | 'trafficLimitBytes' | 'usedBytes' | 'trial'>;
  plan: Pick<Plan, 'trafficTopUp'>;
  /** Whole GiB asked for. */
  gib: number;
  now: Date;
}

/**
 * Whether `gib` GiB of extra traffic may be bought for the subscription now, and on what terms.
 * The extra traffic is added to the current limit for the rest of the current period.
 */
export function decideTrafficTopUp({ subscription: sub, plan, gib, now }: TrafficTopUpInput): TrafficTopUpDecision {
  const offer = plan.trafficTopUp;
  if (offer === null) return { allowed: false, reason: 'not_offered' };
  if (sub.trial) return { allowed: false, reason: 'trial' };
  if (sub.status !== 'active' && sub.status !== 'limited') return { allowed: false, reason: 'not_top_upable_status' };
  if (sub.trafficLimitBytes === null) return { allowed: false, reason: 'unlimited' };
  if (sub.expiresAt === null || sub.expiresAt.getTime() <= now.getTime()) return { allowed: false, reason: 'period_over' };
  if (!Number.isSafeInteger(gib) || gib < 1) return { allowed: false, reason: 'invalid_amount' };
  if (gib > offer.maxGiBPerPurchase) return { allowed: false, reason: 'above_maximum' };
  const bytes = gib * GIB_BYTES;
  const newTrafficLimitBytes = sub.trafficLimitBytes + bytes;
  const amount = gib * offer.pricePerGiB.amount;
  if (!Number.isSafeInteger(newTrafficLimitBytes) || !Number.isSafeInteger(amount)) return { allowed: false, reason: 'too_large' };
  return {
    allowed: true,
    quote: {
      gib,
      bytes,
      price: { amount, currency: offer.pricePerGiB.currency },
      newTrafficLimitBytes,
      reactivates: sub.status === 'limited' && (sub.usedBytes ?? 0) < newTrafficLimitBytes,
    },
  };
}
