import type { Money } from '../domain/money.js';
import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { addDays } from './time.js';

/** Why `decideRenewal` does not renew now; machine-readable. */
export type RenewalSkipReason =
  | 'auto_renew_off'
  | 'trial'
  | 'plan_not_renewable'
  /**
   * Not active or limited (pending, on hold, suspended, expired, terminated, failed); an expired one renews only
   * with `paid` (see `RenewalInput.paid`).
   */
  | 'not_renewable_status'
  /** Expiry is further away than the renewal lead time. */
  | 'not_due'
  | 'insufficient_funds';

/**
 * The terms of an automatic renewal: a new period from the current expiry (or now, if later), usage
 * reset, at the plan's extension price (`extension.price`, else the period price `price`).
 */
export interface RenewalQuote {
  newExpiresAt: Date;
  newTrafficLimitBytes: number | null;
  resetsUsage: true;
  /**
   * What the renewal charges: the extension price when the plan (as sold) has one, else its period
   * price. A renewal is the extension the shop buys for the buyer before expiry, so it never costs more
   * than the buyer would pay pressing "extend" that day.
   */
  price: Money;
}

/** What `decideRenewal` answers; `insufficient_funds` carries the quote so the host can say how much is missing. */
export type RenewalDecision = { renew: true; quote: RenewalQuote } | { renew: false; reason: RenewalSkipReason; quote?: RenewalQuote };

/** Input of `decideRenewal`; `balance` in integer minor units, `leadMs` in milliseconds. */
export interface RenewalInput {
  subscription: Pick<Subscription, 'status' | 'expiresAt' | 'autoRenew' | 'trial'>;
  plan: Pick<Plan, 'price' | 'durationDays' | 'trafficBytes' | 'renewable' | 'extension'>;
  now: Date;
  /** What the customer can spend in the price's currency: its balance, plus its credit limit for a reseller (`spendable`). */
  balance: number;
  /** How long before expiry auto-renew charges. */
  leadMs: number;
  /**
   * A charge made for this renewal was credited: an `expired` subscription (in its grace period, not yet
   * terminated) renews too, as `decideExtension` revives one by hand: a new period from now.
   */
  paid?: boolean;
}

/** Whether a subscription in `status` may renew: active or limited, or expired when the renewal was `paid` for. */
export function renewableStatus(status: Subscription['status'], paid = false): boolean {
  return status === 'active' || status === 'limited' || (paid && status === 'expired');
}

/**
 * Auto-renew from the wallet: shortly before expiry, a new period stacks on the current one and
 * traffic starts over, at the extension price (see `RenewalQuote.price`). Skipped, with a reason, when it does not apply or cannot be paid; the
 * quote is still returned for `insufficient_funds` so the host can say how much is missing.
 */
export function decideRenewal({ subscription: sub, plan, now, balance, leadMs, paid = false }: RenewalInput): RenewalDecision {
  if (!sub.autoRenew) return { renew: false, reason: 'auto_renew_off' };
  if (sub.trial) return { renew: false, reason: 'trial' };
  if (!plan.renewable) return { renew: false, reason: 'plan_not_renewable' };
  if (!renewableStatus(sub.status, paid) || sub.expiresAt === null) {
    return { renew: false, reason: 'not_renewable_status' };
  }
  if (sub.expiresAt.getTime() - now.getTime() > leadMs) return { renew: false, reason: 'not_due' };
  // An expired one starts over now, whatever its expiry says (as an extension by hand revives it).
  const from = sub.status === 'expired' ? now.getTime() : Math.max(sub.expiresAt.getTime(), now.getTime());
  const quote: RenewalQuote = {
    newExpiresAt: addDays(new Date(from), plan.durationDays),
    newTrafficLimitBytes: plan.trafficBytes,
    resetsUsage: true,
    price: plan.extension.price ?? plan.price,
  };
  if (balance < quote.price.amount) return { renew: false, reason: 'insufficient_funds', quote };
  return { renew: true, quote };
}
