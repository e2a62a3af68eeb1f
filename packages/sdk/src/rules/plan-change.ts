import type { Money } from '../domain/money.js';
import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { DAY_MS, addDays } from './time.js';

interface Fraction {
  num: bigint;
  den: bigint;
}
const ZERO: Fraction = { num: 0n, den: 1n };
const ONE: Fraction = { num: 1n, den: 1n };
const clamp = (f: Fraction): Fraction => (f.num <= 0n ? ZERO : f.num >= f.den ? ONE : f);
const smaller = (a: Fraction, b: Fraction): Fraction => (a.num * b.den <= b.num * a.den ? a : b);

/** Why `decidePlanChange` says no; machine-readable. */
export type PlanChangeDenyReason =
  | 'same_plan'
  | 'not_on_sale'
  | 'currency_mismatch'
  /** Only active, limited and on-hold subscriptions can change plan. */
  | 'not_changeable_status'
  | 'trial'
  /** The remaining value cannot be judged without a usage reading. */
  | 'usage_unknown'
  /** The subscription heads a group with more members than the new plan seats (`Plan.sharing`, none for a plan for one). */
  | 'too_many_members'
  /**
   * The new plan does not sell exactly this subscription's kind alone, or the subscription is a part of a bundle:
   * a plan change keeps the buyer's client and its kind (a WireGuard part does not become an Xray one).
   */
  | 'kind_mismatch';

/** The terms of an allowed plan change, in integer minor units of the plan's currency. */
export interface PlanChangeQuote {
  newPlanId: string;
  /** Value left on the current period, by the smaller of time left and traffic left. */
  credit: Money;
  /** What the buyer pays: the new price less the credit, never below zero. */
  charge: Money;
  /** Credit beyond the new price: a downgrade's leftover, returned to the wallet once the change is applied. */
  refund: Money;
  newExpiresAt: Date;
  newTrafficLimitBytes: number | null;
  /** The group's seats after the change: the new plan's `sharing.maxMembers` (frozen with its terms); `null` for a plan for one. */
  maxMembers: number | null;
  resetsUsage: true;
}

/** What `decidePlanChange` answers: a quote or a reason. */
export type PlanChangeDecision = { allowed: true; quote: PlanChangeQuote } | { allowed: false; reason: PlanChangeDenyReason };

/**
 * Input of `decidePlanChange`: the subscription, its current plan (as sold), the new plan, now, and how many members
 * the group the subscription heads holds (0, or omitted, for none).
 */
export interface PlanChangeInput {
  subscription: Pick<Subscription, 'status' | 'expiresAt' | 'trafficLimitBytes' | 'usedBytes' | 'trial'> &
    Partial<Pick<Subscription, 'kind'>>;
  currentPlan: Pick<Plan, 'id' | 'price' | 'durationDays'> & Partial<Pick<Plan, 'kinds'>>;
  newPlan: Pick<Plan, 'id' | 'price' | 'durationDays' | 'trafficBytes' | 'onSale'> & Partial<Pick<Plan, 'sharing' | 'kinds'>>;
  now: Date;
  members?: number;
}

/**
 * Moving to another plan starts a new period of the new plan now; the unused part of the current
 * one is credited pro rata (rounded down, in minor units) against the new price. What the credit
 * does not use up (a downgrade) goes back to the wallet (`refund`). The head of a family or team group keeps its
 * members only on a plan that seats them all (`too_many_members` otherwise); the quote names the seats after it.
 */
export function decidePlanChange({ subscription: sub, currentPlan, newPlan, now, members = 0 }: PlanChangeInput): PlanChangeDecision {
  if (newPlan.id === currentPlan.id) return { allowed: false, reason: 'same_plan' };
  if (!newPlan.onSale) return { allowed: false, reason: 'not_on_sale' };
  if (newPlan.price.currency !== currentPlan.price.currency) return { allowed: false, reason: 'currency_mismatch' };
  if (sub.status !== 'active' && sub.status !== 'limited' && sub.status !== 'on_hold') {
    return { allowed: false, reason: 'not_changeable_status' };
  }
  if (sub.trial) return { allowed: false, reason: 'trial' };
  const kind = sub.kind ?? 'xray';
  const newKinds = newPlan.kinds ?? ['xray'];
  if ((currentPlan.kinds ?? ['xray']).length > 1 || newKinds.length !== 1 || newKinds[0] !== kind) {
    return { allowed: false, reason: 'kind_mismatch' };
  }
  const maxMembers = newPlan.sharing?.maxMembers ?? null;
  if (members > (maxMembers ?? 0)) return { allowed: false, reason: 'too_many_members' };

  // Shares are exact fractions (bigint), so money never passes through a float.
  let share: Fraction = ONE; // an on-hold subscription has used nothing
  if (sub.status === 'limited') share = ZERO;
  else if (sub.status !== 'on_hold' && sub.expiresAt !== null) {
    const periodMs = BigInt(currentPlan.durationDays * DAY_MS);
    const msLeft = BigInt(Math.max(0, sub.expiresAt.getTime() - now.getTime()));
    share = clamp({ num: msLeft, den: periodMs });
    if (sub.trafficLimitBytes !== null) {
      if (sub.usedBytes === null) return { allowed: false, reason: 'usage_unknown' };
      const limit = BigInt(sub.trafficLimitBytes);
      const trafficShare = limit === 0n ? ZERO : clamp({ num: limit - BigInt(sub.usedBytes), den: limit });
      share = smaller(share, trafficShare);
    }
  }

  const currency = newPlan.price.currency;
  const credit = Number((BigInt(currentPlan.price.amount) * share.num) / share.den);
  const charge = Math.max(0, newPlan.price.amount - credit);
  return {
    allowed: true,
    quote: {
      newPlanId: newPlan.id,
      credit: { amount: credit, currency },
      charge: { amount: charge, currency },
      refund: { amount: Math.max(0, credit - newPlan.price.amount), currency },
      newExpiresAt: addDays(now, newPlan.durationDays),
      newTrafficLimitBytes: newPlan.trafficBytes,
      maxMembers,
      resetsUsage: true,
    },
  };
}
