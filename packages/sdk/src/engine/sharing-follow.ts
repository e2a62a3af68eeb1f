import { z } from 'zod';
import { IdSchema } from '../domain/common.js';
import type { Subscription } from '../domain/subscription.js';
import { HOLDS_CAPACITY } from '../domain/subscription-status.js';
import { ConflictError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { EngineContext } from './context.js';
import { WORKER_ACTOR, auditSubscription } from './context.js';
import { eachAlone } from './handler.js';
import type { JobHandler } from './handler.js';
import { JOB_TYPES, jobAttempts, parsePayload, subscriptionJob } from './job-types.js';
import { queueRemoval } from './operations.js';
import { writeSerialKey } from './serial-keys.js';
import { SHARING_FOLLOW_JOB } from './sharing-follow-queue.js';

const FollowPayloadSchema = z.object({ subscriptionId: IdSchema });

const GROUP_ENDED = new Set<Subscription['status']>(['terminated', 'failed']);
const MEMBER_ENDED = GROUP_ENDED;

/**
 * Ends a member's subscription because its group's has ended: the seat given back, the subscription terminated (its
 * slot released, its queued provisioning cancelled, its client's removal queued) and its own link revoked, in the
 * caller's transaction. The terminated subscription, or `null` when it had already ended.
 */
async function endWithGroup(
  ctx: EngineContext,
  tx: StorageRepositories,
  member: Subscription,
  groupId: string,
): Promise<Subscription | null> {
  await tx.sharing.remove(member.id);
  await tx.linkTokens.revokeForSubscription(member.id);
  if (MEMBER_ENDED.has(member.status)) return null;
  const ended = await tx.subscriptions.update(member.id, { status: 'terminated' }, { expectedRevision: member.revision });
  if (HOLDS_CAPACITY.has(member.status)) await tx.capacity.release({ targetId: member.targetId, planId: member.planId, count: 1 });
  await queueRemoval(ctx, tx, member);
  await auditSubscription(tx, WORKER_ACTOR, 'sharing.ended', ended, { groupId, from: member.status });
  return ended;
}

/**
 * Makes the member follow its group, in one transaction. A group that ended (terminated, failed, gone) ends the member
 * (see `endWithGroup`), whatever state the member is in. Otherwise the member's expiry becomes the payer's, with a
 * push of it to the panel (a member whose period ran out with the payer's comes back `active` when the payer's is
 * extended). Nothing for a removed member, an ended subscription or a payer without an expiry yet; a member still
 * being provisioned fails the attempt (retried). Running it again changes nothing more.
 */
async function follow(ctx: EngineContext, subscriptionId: string): Promise<void> {
  const ended = await ctx.storage.transaction(async (tx) => {
    const seat = await tx.sharing.memberOf(subscriptionId);
    if (seat === null || seat.removedAt !== null) return null;
    const [member, group] = await Promise.all([tx.subscriptions.get(subscriptionId), tx.subscriptions.get(seat.groupId)]);
    if (member === null) return null;
    if (group === null || GROUP_ENDED.has(group.status)) return endWithGroup(ctx, tx, member, seat.groupId);
    if (group.expiresAt === null) return null;
    if (MEMBER_ENDED.has(member.status)) return null;
    if (member.status === 'pending') throw new ConflictError(`member subscription ${member.id} is not provisioned yet`);
    if (member.expiresAt?.getTime() === group.expiresAt.getTime()) return null;
    const revived = member.status === 'expired' && group.expiresAt.getTime() > ctx.clock.now().getTime();
    const next = await tx.subscriptions.update(
      member.id,
      { expiresAt: group.expiresAt, ...(revived ? { status: 'active' as const } : {}) },
      { expectedRevision: member.revision },
    );
    await auditSubscription(tx, WORKER_ACTOR, 'sharing.followed', next, { groupId: group.id, expiresAt: group.expiresAt.toISOString() });
    const serialKey = await writeSerialKey(ctx, tx, next);
    await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.push, next.id, { subscriptionId: next.id }, jobAttempts(ctx.policy), serialKey));
    return null;
  });
  if (ended !== null) ctx.events.emit('subscription:terminated', { subscription: ended, actor: WORKER_ACTOR, at: ctx.clock.now() });
}

/** Runs `sharing.follow` jobs in the worker's process (the panel is written by the push it queues). */
export const sharingFollowHandler: JobHandler = {
  type: SHARING_FOLLOW_JOB,
  local: true,
  route: async () => null,
  run: eachAlone(async (env, job) => follow(env.ctx, parsePayload(FollowPayloadSchema, job.payload, job.type).subscriptionId)),
};
