import type { Money } from '../domain/money.js';
import type { ExtensionPolicy, Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { DAY_MS, addDays } from './time.js';

/** What an extension decision needs to know about the subscription. */
export type ExtensionSubject = Pick<Subscription, 'status' | 'expiresAt' | 'trafficLimitBytes' | 'usedBytes' | 'activatedAt' | 'trial'>;
/** What an extension decision needs to know about the plan. */
export type ExtensionPlan = Pick<Plan, 'price' | 'durationDays' | 'trafficBytes' | 'renewable' | 'extension'>;

/** Why `decideExtension` says no; machine-readable, for the host to translate. */
export type ExtensionDenyReason =
  | 'terminated'
  | 'suspended'
  /** Still pending, or provisioning failed: there is nothing to extend yet. */
  | 'not_provisioned'
  | 'plan_not_renewable'
  /** A start-on-first-use subscription whose period has not begun. */
  | 'not_started'
  /** More than the window's days are left, and traffic is left. */
  | 'too_early'
  /** Outside the window with a traffic limit and no usage reading: exhaustion cannot be judged. */
  | 'usage_unknown';

/** Why the quote is an extension or a reset. */
export type ExtensionBasis = 'expired' | 'traffic_exhausted' | 'within_window' | 'trial_conversion';

/** The terms of an allowed extension or reset: new expiry, new limit (bytes), price, and what a reset gives up. */
export interface ExtensionQuote {
  /** `extend` builds on the current period; `reset` starts a fresh one now. */
  action: 'extend' | 'reset';
  basis: ExtensionBasis;
  newExpiresAt: Date;
  /** `null` is unlimited. */
  newTrafficLimitBytes: number | null;
  /** Usage always starts again from zero. */
  resetsUsage: true;
  price: Money;
  durationDays: number;
  /** Unused traffic added to the new limit (`carry_over` policy). */
  carriedOverBytes: number;
  /** Time left on the current period that a reset gives up. */
  forfeitedMs: number;
  /** True when usage was unknown, so nothing could be carried over. */
  usageUnknown: boolean;
}

/** What `decideExtension` answers: a quote, or a reason with details (`opensAt` for `too_early`). */
export type ExtensionDecision =
  | { allowed: true; quote: ExtensionQuote }
  | { allowed: false; reason: ExtensionDenyReason; details: { msLeft?: number; opensAt?: Date } };

/** Input of `decideExtension`: the subscription, its plan as sold, and now. */
export interface ExtensionInput {
  subscription: ExtensionSubject;
  plan: ExtensionPlan;
  now: Date;
  /** Overrides `plan.extension`. */
  policy?: ExtensionPolicy;
}

function deny(reason: ExtensionDenyReason, details: { msLeft?: number; opensAt?: Date } = {}): ExtensionDecision {
  return { allowed: false, reason, details };
}

/**
 * Decides whether a subscription may be extended now, and quotes the result before anything is
 * paid. Expired or exhausted → reset (a new period from now). Within the window with traffic
 * left → extend (the period stacks or restarts per the policy). Otherwise a reason.
 */
export function decideExtension({ subscription: sub, plan, now, policy = plan.extension }: ExtensionInput): ExtensionDecision {
  switch (sub.status) {
    case 'terminated':
      return deny('terminated');
    case 'suspended':
      return deny('suspended');
    case 'pending':
    case 'failed':
      return deny('not_provisioned');
    default:
      break;
  }
  if (!plan.renewable) return deny('plan_not_renewable');
  if (sub.status === 'on_hold' || sub.expiresAt === null) return deny('not_started');

  const price = policy.price ?? plan.price;
  const msLeft = sub.expiresAt.getTime() - now.getTime();
  const usageUnknown = sub.usedBytes === null;
  const exhausted =
    sub.status === 'limited' || (sub.trafficLimitBytes !== null && sub.usedBytes !== null && sub.usedBytes >= sub.trafficLimitBytes);

  const reset = (basis: ExtensionBasis): ExtensionDecision => ({
    allowed: true,
    quote: {
      action: 'reset',
      basis,
      newExpiresAt: addDays(now, plan.durationDays),
      newTrafficLimitBytes: plan.trafficBytes,
      resetsUsage: true,
      price,
      durationDays: plan.durationDays,
      carriedOverBytes: 0,
      forfeitedMs: Math.max(0, msLeft),
      usageUnknown,
    },
  });

  if (sub.status === 'expired' || msLeft <= 0) return reset('expired');
  if (exhausted) return reset('traffic_exhausted');
  if (sub.trial) return reset('trial_conversion');

  const windowMs = policy.windowDays * DAY_MS;
  if (msLeft > windowMs) {
    if (sub.trafficLimitBytes !== null && usageUnknown) return deny('usage_unknown', { msLeft });
    return deny('too_early', { msLeft, opensAt: new Date(sub.expiresAt.getTime() - windowMs) });
  }

  const carriedOverBytes =
    policy.trafficOnExtend === 'carry_over' && plan.trafficBytes !== null && sub.trafficLimitBytes !== null && sub.usedBytes !== null
      ? Math.max(0, sub.trafficLimitBytes - sub.usedBytes)
      : 0;
  const start = policy.daysOnExtend === 'stack' ? sub.expiresAt : now;
  return {
    allowed: true,
    quote: {
      action: 'extend',
      basis: 'within_window',
      newExpiresAt: addDays(start, plan.durationDays),
      newTrafficLimitBytes: plan.trafficBytes === null ? null : plan.trafficBytes + carriedOverBytes,
      resetsUsage: true,
      price,
      durationDays: plan.durationDays,
      carriedOverBytes,
      forfeitedMs: policy.daysOnExtend === 'restart' ? msLeft : 0,
      usageUnknown,
    },
  };
}
