import type { Subscription } from '../domain/subscription.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { EngineContext } from './context.js';
import { jobAttempts } from './job-types.js';

/**
 * The job type that makes a group member follow the payer's subscription: its expiry (and its panel's through a
 * push), and its end (the member's subscription ended with it).
 */
export const SHARING_FOLLOW_JOB = 'sharing.follow';

/**
 * Queues, in the caller's transaction, the job that makes a member's subscription follow its group's expiry and end
 * (one queued per member at a time: it reads the group when it runs).
 */
export async function queueMemberFollow(ctx: EngineContext, tx: StorageRepositories, member: Pick<Subscription, 'id'>): Promise<void> {
  await tx.jobs.enqueue({
    type: SHARING_FOLLOW_JOB,
    payload: { subscriptionId: member.id },
    dedupeKey: `${SHARING_FOLLOW_JOB}:${member.id}`,
    // A member's provisioning may take a while: its follow waits for it through retries.
    maxAttempts: Math.max(jobAttempts(ctx.policy), 20),
  });
}

/**
 * Queues a follow for every current member of the group `group` heads (none when it heads none): called in the
 * transaction that extends the payer's subscription, and in each that ends it (terminated by an admin, refunded,
 * past its grace), so the members' subscriptions end with it.
 */
export async function queueGroupFollow(ctx: EngineContext, tx: StorageRepositories, group: Pick<Subscription, 'id'>): Promise<void> {
  for (const member of await tx.sharing.members(group.id)) await queueMemberFollow(ctx, tx, { id: member.subscriptionId });
}
