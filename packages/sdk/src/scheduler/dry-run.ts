import type { Subscription } from '../domain/subscription.js';
import type { EngineContext } from '../engine/context.js';
import { changeRecorded } from '../engine/extension.js';
import { decideRenewal } from '../rules/renewal.js';
import { DAY_MS } from '../rules/time.js';
import { renewalKey } from './renewals.js';
import { pages } from '../engine/paging.js';
import { planAsSold } from '../domain/subscription-terms.js';
import { spendable } from '../rules/credit.js';

/** What the scheduler will do to a subscription: start its period, limit it, renew or skip renewal, expire it, warn, or terminate it. */
export type PlannedAction = 'activate' | 'limit' | 'renew' | 'skip_renewal' | 'expire' | 'warn' | 'terminate';

/** One thing the scheduler will do, when, and why. */
export interface PlannedItem {
  at: Date;
  subscriptionId: string;
  action: PlannedAction;
  /** Machine-readable: `traffic_exhausted`, `expires_at`, `renewal_due`, `insufficient_funds`, `expiry_notice:1440m`, `grace_over`… */
  reason: string;
  /** For people. */
  detail: string;
}

/** Options of `kit.dryRun`. */
export interface DryRunOptions {
  /** How far ahead to look. Default 24 hours. */
  horizonMs?: number;
}

/**
 * Lists what the scheduler will do over the next `horizonMs` (default 24 h), in time order, with
 * the reason for each item, as the stored state stands now. It only reads: nothing is written,
 * no event is emitted, no panel is called. (Usage that arrives meanwhile can add limits and
 * traffic warnings not listed here.)
 */
export async function dryRun(ctx: EngineContext, options: DryRunOptions = {}): Promise<PlannedItem[]> {
  const { storage, policy } = ctx;
  const now = ctx.clock.now();
  const horizon = options.horizonMs ?? DAY_MS;
  const end = new Date(now.getTime() + horizon);
  const items: PlannedItem[] = [];
  const add = (at: Date, sub: Subscription, action: PlannedAction, reason: string, detail: string) =>
    items.push({ at: at.getTime() < now.getTime() ? now : at, subscriptionId: sub.id, action, reason, detail });

  for await (const sub of pages((p) => storage.subscriptions.listDue({ kind: 'first_use' }, p))) {
    add(now, sub, 'activate', 'first_use_seen', `first traffic seen (${sub.usedBytes} bytes); the ${sub.durationDays}-day period starts`);
  }
  for await (const sub of pages((p) => storage.subscriptions.listDue({ kind: 'over_limit' }, p))) {
    add(now, sub, 'limit', 'traffic_exhausted', `used ${sub.usedBytes} of ${sub.trafficLimitBytes} bytes`);
  }

  const lead = policy.renewalLeadMs;
  const expiring = { kind: 'expiring' as const, statuses: ['active' as const, 'limited' as const] };
  for await (const sub of pages((p) => storage.subscriptions.listDue({ ...expiring, to: new Date(end.getTime() + lead + 1) }, p))) {
    const expiresAt = sub.expiresAt!;
    let renews = false;
    if (sub.autoRenew) {
      const renewAt = new Date(expiresAt.getTime() - lead);
      if (renewAt.getTime() <= end.getTime()) {
        if (await changeRecorded(storage, renewalKey(sub))) {
          renews = true;
        } else {
          const current = await storage.plans.get(sub.planId);
          const plan = current === null ? null : planAsSold(current, sub);
          const currency = plan === null ? null : (plan.extension.price ?? plan.price).currency;
          const balance =
            currency === null
              ? 0
              : spendable(
                  await storage.ledger.balance(sub.customerId, currency),
                  await storage.ledger.creditLimit(sub.customerId, currency),
                );
          const decision = plan === null ? null : decideRenewal({ subscription: sub, plan, now: renewAt, balance, leadMs: lead });
          if (decision?.renew) {
            renews = true;
            add(
              renewAt,
              sub,
              'renew',
              'renewal_due',
              `auto-renew for ${decision.quote.price.amount} ${decision.quote.price.currency}, until ${decision.quote.newExpiresAt.toISOString()}`,
            );
          } else {
            add(
              renewAt,
              sub,
              'skip_renewal',
              decision?.renew === false ? decision.reason : 'plan_missing',
              'auto-renew is on but will not happen',
            );
          }
        }
      }
    }
    if (!renews && expiresAt.getTime() <= end.getTime())
      add(expiresAt, sub, 'expire', 'expires_at', `expires at ${expiresAt.toISOString()}`);
    for (const warnLead of policy.expiryWarningsMs) {
      const notice = `expiry:${Math.round(warnLead / 60_000)}m`;
      const warnAt = new Date(expiresAt.getTime() - warnLead);
      if (warnAt.getTime() >= now.getTime() && warnAt.getTime() <= end.getTime() && !sub.notices.includes(notice) && !renews) {
        add(warnAt, sub, 'warn', `expiry_notice:${Math.round(warnLead / 60_000)}m`, `expires at ${expiresAt.toISOString()}`);
      }
    }
  }

  const graceEnd = new Date(end.getTime() - policy.terminationGraceMs + 1);
  for await (const sub of pages((p) =>
    storage.subscriptions.listDue({ kind: 'stale_status', statuses: ['expired'], before: graceEnd }, p),
  )) {
    add(
      new Date(sub.statusChangedAt.getTime() + policy.terminationGraceMs),
      sub,
      'terminate',
      'grace_over',
      `expired since ${sub.statusChangedAt.toISOString()}`,
    );
  }
  return items.sort((a, b) => a.at.getTime() - b.at.getTime() || a.subscriptionId.localeCompare(b.subscriptionId));
}
