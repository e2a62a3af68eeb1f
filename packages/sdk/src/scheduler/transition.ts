import type { Subscription } from '../domain/subscription.js';
import { canTransition } from '../domain/subscription-status.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import type { SubscriptionPatch } from '../domain/subscription.js';
import { ConflictError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { auditSubscription } from '../engine/context.js';
import { JOB_TYPES, subscriptionJob, jobAttempts } from '../engine/job-types.js';
import { writeSerialKey } from '../engine/serial-keys.js';
import type { TickScope } from './tick-scope.js';

export interface SweepChange {
  /** Re-checks the subscription as it is now; `null` skips it. */
  to: (current: Subscription) => SubscriptionStatus | null;
  patch?: (current: Subscription) => SubscriptionPatch;
  /** Push the new state to the panel. */
  push?: (current: Subscription) => boolean;
  effects?: (tx: StorageRepositories, before: Subscription, after: Subscription) => Promise<void>;
}

/**
 * Moves one subscription in its own transaction, re-reading it first so a stale page never
 * overwrites a newer state. Lost races (a `ConflictError`) are skipped: the next tick sees it again.
 */
export async function sweepOne(scope: TickScope, sub: Subscription, change: SweepChange): Promise<Subscription | null> {
  const { ctx } = scope;
  try {
    return await ctx.storage.transaction(async (tx) => {
      const current = await tx.subscriptions.get(sub.id);
      if (current === null) return null;
      const to = change.to(current);
      if (to === null || !canTransition(current.status, to)) return null;
      const after = await tx.subscriptions.update(
        current.id,
        { ...change.patch?.(current), status: to },
        { expectedRevision: current.revision },
      );
      await auditSubscription(tx, scope.actor, `subscription.${to}`, after, { from: current.status });
      if (change.push?.(current) === true) {
        const serialKey = await writeSerialKey(ctx, tx, current);
        const payload = { subscriptionId: current.id };
        await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.push, current.id, payload, jobAttempts(ctx.policy), serialKey));
      }
      await change.effects?.(tx, current, after);
      return after;
    });
  } catch (error) {
    if (ConflictError.is(error)) return null;
    throw error;
  }
}
