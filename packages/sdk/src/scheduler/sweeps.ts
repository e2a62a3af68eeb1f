import { HOLDS_CAPACITY } from '../domain/subscription-status.js';
import type { Subscription } from '../domain/subscription.js';
import { addDays } from '../rules/time.js';
import { updateInFlight } from '../engine/extension.js';
import { JOB_TYPES, subscriptionJob, jobAttempts } from '../engine/job-types.js';
import { writeSerialKey } from '../engine/serial-keys.js';
import { queueGroupFollow } from '../engine/sharing-follow-queue.js';
import { tryLastChanceRenewal } from './renewals.js';
import type { TickScope } from './tick-scope.js';
import { pages } from '../engine/paging.js';
import { forEachAtOnce } from './tick-scope.js';
import { sweepOne } from './transition.js';

/** On-hold subscriptions whose first traffic was seen: their period starts. */
export async function activateFirstUse(scope: TickScope): Promise<number> {
  let count = 0;
  const due = pages((p) => scope.ctx.storage.subscriptions.listDue({ kind: 'first_use' }, p));
  await forEachAtOnce(due, scope.ctx.policy.sweepConcurrency, async (sub) => {
    if ((await activateOnHold(scope, sub)) !== null) count++;
  });
  return count;
}

/**
 * Starts an on-hold subscription's period: at `panelExpiry` when the panel started it on first use
 * and said when it ends, otherwise now plus its duration (pushed to a panel that cannot start a
 * period itself). `null` when it was no longer on hold.
 */
export async function activateOnHold(scope: TickScope, sub: Subscription, panelExpiry?: Date): Promise<Subscription | null> {
  const { ctx, now } = scope;
  const caps = await scope.capabilities(sub.panelId);
  const after = await sweepOne(scope, sub, {
    to: (c) => (c.status === 'on_hold' ? 'active' : null),
    patch: (c) => ({ activatedAt: now, expiresAt: panelExpiry ?? addDays(now, c.durationDays) }),
    // A panel that cannot start a period on first use has no expiry yet: give it one.
    push: () => caps !== null && !caps.startOnFirstUse,
  });
  if (after !== null) ctx.events.emit('subscription:activated', { subscription: after, actor: scope.actor, at: now });
  return after;
}

/** Active subscriptions that used their traffic become limited; disabled on panels that do not do it themselves. */
export async function enforceLimits(scope: TickScope): Promise<number> {
  const { ctx, now } = scope;
  let count = 0;
  const due = pages((p) => ctx.storage.subscriptions.listDue({ kind: 'over_limit' }, p));
  await forEachAtOnce(due, ctx.policy.sweepConcurrency, async (sub) => {
    const caps = await scope.capabilities(sub.panelId);
    const after = await sweepOne(scope, sub, {
      to: (c) =>
        c.status === 'active' && c.trafficLimitBytes !== null && c.usedBytes !== null && c.usedBytes >= c.trafficLimitBytes
          ? 'limited'
          : null,
      push: () => caps === null || !caps.enforcesTrafficLimit,
    });
    if (after === null) return;
    count++;
    ctx.events.emit('subscription:limited', { subscription: after, actor: scope.actor, at: now });
  });
  return count;
}

/** Subscriptions past their expiry expire (after a last chance to auto-renew). */
export async function expireDue(scope: TickScope): Promise<{ expired: number; renewed: number }> {
  const { ctx, now } = scope;
  let expired = 0;
  let renewed = 0;
  const due = pages((p) =>
    ctx.storage.subscriptions.listDue({ kind: 'expiring', statuses: ['active', 'limited'], to: new Date(now.getTime() + 1) }, p),
  );
  await forEachAtOnce(due, ctx.policy.sweepConcurrency, async (sub) => {
    const renewal = await tryLastChanceRenewal(scope, sub);
    if (renewal === 'renewed') renewed++;
    if (renewal !== 'not_renewed') return;
    const caps = await scope.capabilities(sub.panelId);
    const after = await sweepOne(scope, sub, {
      to: (c) =>
        (c.status === 'active' || c.status === 'limited') && c.expiresAt !== null && c.expiresAt.getTime() <= now.getTime()
          ? 'expired'
          : null,
      push: () => caps === null || !caps.enforcesExpiry,
    });
    if (after === null) return;
    expired++;
    ctx.events.emit('subscription:expired', { subscription: after, actor: scope.actor, at: now });
  });
  return { expired, renewed };
}

/** Expired subscriptions past the grace period are terminated: slot released, client removed, a group's members ended with it. */
export async function terminateAfterGrace(scope: TickScope): Promise<number> {
  const { ctx, now } = scope;
  const before = new Date(now.getTime() - ctx.policy.terminationGraceMs + 1);
  let count = 0;
  const due = pages((p) => ctx.storage.subscriptions.listDue({ kind: 'stale_status', statuses: ['expired'], before }, p));
  await forEachAtOnce(due, ctx.policy.sweepConcurrency, async (sub) => {
    // A paid extension still being applied (its panel may be down) keeps it alive.
    if (await updateInFlight(ctx.storage, sub.id)) return;
    const after = await sweepOne(scope, sub, {
      to: (c) => (c.status === 'expired' && c.statusChangedAt.getTime() < before.getTime() ? 'terminated' : null),
      effects: async (tx, current) => {
        if (HOLDS_CAPACITY.has(current.status)) await tx.capacity.release({ targetId: current.targetId, planId: current.planId, count: 1 });
        const serialKey = await writeSerialKey(ctx, tx, current);
        const payload = { subscriptionId: current.id };
        await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.remove, current.id, payload, jobAttempts(ctx.policy), serialKey));
        await queueGroupFollow(ctx, tx, current);
      },
    });
    if (after === null) return;
    count++;
    ctx.events.emit('subscription:terminated', { subscription: after, actor: scope.actor, at: now });
  });
  return count;
}
