import { HOLDS_CAPACITY } from '../domain/subscription-status.js';
import { addDays } from '../rules/time.js';
import { updateInFlight } from '../engine/extension.js';
import { JOB_TYPES, subscriptionJob, jobAttempts } from '../engine/job-types.js';
import { writeSerialKey } from '../engine/serial-keys.js';
import { tryLastChanceRenewal } from './renewals.js';
import type { TickScope } from './tick-scope.js';
import { pages } from './tick-scope.js';
import { sweepOne } from './transition.js';

/** On-hold subscriptions whose first traffic was seen: their period starts. */
export async function activateFirstUse(scope: TickScope): Promise<number> {
  const { ctx, now } = scope;
  let count = 0;
  for await (const sub of pages((p) => ctx.storage.subscriptions.listDue({ kind: 'first_use' }, p))) {
    const caps = await scope.capabilities(sub.panelId);
    const after = await sweepOne(scope, sub, {
      to: (c) => (c.status === 'on_hold' ? 'active' : null),
      patch: (c) => ({ activatedAt: now, expiresAt: scope.firstUseExpiry.get(c.id) ?? addDays(now, c.durationDays) }),
      // A panel that cannot start a period on first use has no expiry yet: give it one.
      push: () => caps !== null && !caps.startOnFirstUse,
    });
    if (after === null) continue;
    count++;
    ctx.events.emit('subscription:activated', { subscription: after, actor: scope.actor, at: now });
  }
  return count;
}

/** Active subscriptions that used their traffic become limited; disabled on panels that do not do it themselves. */
export async function enforceLimits(scope: TickScope): Promise<number> {
  const { ctx, now } = scope;
  let count = 0;
  for await (const sub of pages((p) => ctx.storage.subscriptions.listDue({ kind: 'over_limit' }, p))) {
    const caps = await scope.capabilities(sub.panelId);
    const after = await sweepOne(scope, sub, {
      to: (c) =>
        c.status === 'active' && c.trafficLimitBytes !== null && c.usedBytes !== null && c.usedBytes >= c.trafficLimitBytes
          ? 'limited'
          : null,
      push: () => caps === null || !caps.enforcesTrafficLimit,
    });
    if (after === null) continue;
    count++;
    ctx.events.emit('subscription:limited', { subscription: after, actor: scope.actor, at: now });
  }
  return count;
}

/** Subscriptions past their expiry expire (after a last chance to auto-renew). */
export async function expireDue(scope: TickScope): Promise<{ expired: number; renewed: number }> {
  const { ctx, now } = scope;
  let expired = 0;
  let renewed = 0;
  for await (const sub of pages((p) =>
    ctx.storage.subscriptions.listDue({ kind: 'expiring', statuses: ['active', 'limited'], to: new Date(now.getTime() + 1) }, p),
  )) {
    const renewal = await tryLastChanceRenewal(scope, sub);
    if (renewal === 'renewed') renewed++;
    if (renewal !== 'not_renewed') continue;
    const caps = await scope.capabilities(sub.panelId);
    const after = await sweepOne(scope, sub, {
      to: (c) =>
        (c.status === 'active' || c.status === 'limited') && c.expiresAt !== null && c.expiresAt.getTime() <= now.getTime()
          ? 'expired'
          : null,
      push: () => caps === null || !caps.enforcesExpiry,
    });
    if (after === null) continue;
    expired++;
    ctx.events.emit('subscription:expired', { subscription: after, actor: scope.actor, at: now });
  }
  return { expired, renewed };
}

/** Expired subscriptions past the grace period are terminated: slot released, client removed. */
export async function terminateAfterGrace(scope: TickScope): Promise<number> {
  const { ctx, now } = scope;
  const before = new Date(now.getTime() - ctx.policy.terminationGraceMs + 1);
  let count = 0;
  for await (const sub of pages((p) => ctx.storage.subscriptions.listDue({ kind: 'stale_status', statuses: ['expired'], before }, p))) {
    // A paid extension still being applied (its panel may be down) keeps it alive.
    if (await updateInFlight(ctx.storage, sub.id)) continue;
    const after = await sweepOne(scope, sub, {
      to: (c) => (c.status === 'expired' && c.statusChangedAt.getTime() < before.getTime() ? 'terminated' : null),
      effects: async (tx, current) => {
        if (HOLDS_CAPACITY.has(current.status)) await tx.capacity.release({ targetId: current.targetId, planId: current.planId, count: 1 });
        const serialKey = await writeSerialKey(ctx, tx, current);
        const payload = { subscriptionId: current.id };
        await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.remove, current.id, payload, jobAttempts(ctx.policy), serialKey));
      },
    });
    if (after === null) continue;
    count++;
    ctx.events.emit('subscription:terminated', { subscription: after, actor: scope.actor, at: now });
  }
  return count;
}
