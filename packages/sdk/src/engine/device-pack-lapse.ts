import { z } from 'zod';
import { IdSchema } from '../domain/common.js';
import type { Subscription } from '../domain/subscription.js';
import type { StorageRepositories } from '../ports/storage.js';
import { extraDevicesOf } from '../rules/device-pack.js';
import type { EngineContext } from './context.js';
import { WORKER_ACTOR, auditSubscription } from './context.js';
import { queueDeviceLimitPush } from './device-limit-push.js';
import { eachAlone } from './handler.js';
import type { JobHandler } from './handler.js';
import { JOB_TYPES, jobAttempts, parsePayload } from './job-types.js';
import { soldPlan } from './sold-plan.js';

/** The payload of a `device.pack_lapse` job: the extra devices whose paid period ends, and when it ends. */
export const DevicePackLapsePayloadSchema = z.object({
  subscriptionId: IdSchema,
  /** Extra devices paid until `until`; the limit goes down by them (never below the plan's own). */
  devices: z.number().int().min(1).max(1000),
  /** The end of the period they were paid for (the job's `runAt`). */
  until: z.iso.datetime(),
});
/** See `DevicePackLapsePayloadSchema`. */
export type DevicePackLapsePayload = z.infer<typeof DevicePackLapsePayloadSchema>;

/** The dedupe key of a subscription's lapse: at most one queued at a time. */
function lapseKey(subscriptionId: string): string {
  return `${JOB_TYPES.devicePackLapse}:${subscriptionId}`;
}

/**
 * The device limit a renewal leaves for the update job to set (`undefined`: the limit stays), deciding in the
 * renewal's transaction what happens to a device pack's extra devices:
 *
 * - kept (`kept`, the limit the caller priced them into for the new period): a lapse queued by an earlier renewal
 *   is cancelled, since they are now paid for beyond it;
 * - not kept, and the period they were paid for is still running (an early renewal): the limit stays, and a lapse
 *   job due at that period's end takes them off then, so the buyer keeps what they paid for;
 * - not kept, and that period is over: the plan's own limit (as sold) at once.
 *
 * A plan that sells no packs leaves the limit alone. While a lapse is queued, a second early renewal queues no
 * other (the first lapse stands; at most one is queued per subscription).
 */
export async function renewalDeviceLimit(
  ctx: EngineContext,
  tx: StorageRepositories,
  sub: Subscription,
  kept: number | null | undefined,
): Promise<number | null | undefined> {
  if (kept !== undefined) {
    const queued = await tx.jobs.list({ dedupeKey: lapseKey(sub.id), state: 'queued' }, { limit: 1 });
    for (const job of queued.items) await tx.jobs.cancel(job.id);
    return kept;
  }
  const plan = await soldPlan(tx, sub).catch(() => null);
  if (plan === null || plan.devicePack === null) return undefined;
  const devices = extraDevicesOf(sub, plan);
  const until = sub.expiresAt;
  if (devices === 0 || until === null || until.getTime() <= ctx.clock.now().getTime()) return plan.deviceLimit;
  const payload: DevicePackLapsePayload = { subscriptionId: sub.id, devices, until: until.toISOString() };
  await tx.jobs.enqueue({
    type: JOB_TYPES.devicePackLapse,
    payload,
    dedupeKey: lapseKey(sub.id),
    runAt: until,
    maxAttempts: jobAttempts(ctx.policy),
  });
  return undefined;
}

/**
 * Takes a lapsed pack's devices off, in one transaction: the limit goes down by the payload's devices (never below
 * the plan's own: devices already taken back by a refund are not taken twice), audited `subscription.devices_removed`
 * (`reason: 'period_ended'`), and the panel's limit follows by a `device.panel_limit` job. Nothing for a subscription
 * gone, terminated or without extra devices left. A concurrent change of the subscription fails the attempt with a
 * `ConflictError`, which the worker retries.
 */
async function lapse(ctx: EngineContext, p: DevicePackLapsePayload): Promise<void> {
  await ctx.storage.transaction(async (tx) => {
    const sub = await tx.subscriptions.get(p.subscriptionId);
    if (sub === null || sub.status === 'terminated' || sub.deviceLimit === null) return;
    const taken = Math.min(p.devices, extraDevicesOf(sub, await soldPlan(tx, sub)));
    if (taken <= 0) return;
    const next = await tx.subscriptions.update(sub.id, { deviceLimit: sub.deviceLimit - taken }, { expectedRevision: sub.revision });
    await auditSubscription(tx, WORKER_ACTOR, 'subscription.devices_removed', next, {
      devices: taken,
      deviceLimit: next.deviceLimit,
      until: p.until,
      reason: 'period_ended',
    });
    await queueDeviceLimitPush(ctx, tx, next);
  });
}

/** Runs `device.pack_lapse` jobs in the worker's process (no panel call of its own). */
export const devicePackLapseHandler: JobHandler = {
  type: JOB_TYPES.devicePackLapse,
  local: true,
  route: async () => null,
  run: eachAlone(async (env, job) => lapse(env.ctx, parsePayload(DevicePackLapsePayloadSchema, job.payload, job.type))),
};
