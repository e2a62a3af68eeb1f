import { z } from 'zod';
import { IdSchema } from '../domain/common.js';
import type { Subscription } from '../domain/subscription.js';
import { ConflictError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { EngineContext } from './context.js';
import { WORKER_ACTOR, auditSubscription } from './context.js';
import { eachAlone } from './handler.js';
import type { JobHandler } from './handler.js';
import { JOB_TYPES, jobAttempts, parsePayload, subscriptionJob } from './job-types.js';
import { writeSerialKey } from './serial-keys.js';

/** The job type that sets a group member's expiry to the payer's (and its panel's through a push). */
export const SHARING_FOLLOW_JOB = 'sharing.follow';

const FollowPayloadSchema = z.object({ subscriptionId: IdSchema });

/**
 * Queues, in the caller's transaction, the job that makes a member's subscription follow its group's expiry
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

/** Queues a follow for every current member of the group `group` heads (none when it heads none). */
export async function queueGroupFollow(ctx: EngineContext, tx: StorageRepositories, group: Pick<Subscription, 'id'>): Promise<void> {
  for (const member of await tx.sharing.members(group.id)) await queueMemberFollow(ctx, tx, { id: member.subscriptionId });
}

/**
 * Sets the member's expiry to the payer's, in one transaction with a push of it to the panel (a member whose period
 * ran out with the payer's comes back `active` when the payer's is extended). Nothing for a removed member, an ended
 * subscription or a payer without an expiry yet; a member still being provisioned fails the attempt (retried).
 */
async function follow(ctx: EngineContext, subscriptionId: string): Promise<void> {
  await ctx.storage.transaction(async (tx) => {
    const seat = await tx.sharing.memberOf(subscriptionId);
    if (seat === null || seat.removedAt !== null) return;
    const [member, group] = await Promise.all([tx.subscriptions.get(subscriptionId), tx.subscriptions.get(seat.groupId)]);
    if (member === null || group === null || group.expiresAt === null) return;
    if (member.status === 'terminated' || member.status === 'failed') return;
    if (member.status === 'pending') throw new ConflictError(`member subscription ${member.id} is not provisioned yet`);
    if (member.expiresAt?.getTime() === group.expiresAt.getTime()) return;
    const revived = member.status === 'expired' && group.expiresAt.getTime() > ctx.clock.now().getTime();
    const next = await tx.subscriptions.update(
      member.id,
      { expiresAt: group.expiresAt, ...(revived ? { status: 'active' as const } : {}) },
      { expectedRevision: member.revision },
    );
    await auditSubscription(tx, WORKER_ACTOR, 'sharing.followed', next, { groupId: group.id, expiresAt: group.expiresAt.toISOString() });
    const serialKey = await writeSerialKey(ctx, tx, next);
    await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.push, next.id, { subscriptionId: next.id }, jobAttempts(ctx.policy), serialKey));
  });
}

/** Runs `sharing.follow` jobs in the worker's process (the panel is written by the push it queues). */
export const sharingFollowHandler: JobHandler = {
  type: SHARING_FOLLOW_JOB,
  local: true,
  route: async () => null,
  run: eachAlone(async (env, job) => follow(env.ctx, parsePayload(FollowPayloadSchema, job.payload, job.type).subscriptionId)),
};
