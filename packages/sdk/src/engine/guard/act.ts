import { z } from 'zod';
import type { Subscription } from '../../domain/subscription.js';
import type { EngineContext } from '../context.js';
import { queueDeviceLimitPush } from '../device-limit-push.js';
import { eachAlone, type JobHandler } from '../handler.js';
import { parsePayload } from '../job-types.js';
import { resume, suspend } from '../operations.js';
import { GUARD_ACT_JOB } from './evaluate.js';

const GuardActPayloadSchema = z.object({
  subscriptionId: z.string(),
  stepSeq: z.number().int(),
  step: z.enum(['watching', 'warn', 'limit', 'suspend']),
  from: z.enum(['watching', 'warn', 'limit', 'suspend']),
  restore: z.boolean(),
  restoreDeviceLimit: z.number().int().nullable(),
});

const GUARD_REASON = 'guard';

/** Sets the stored device limit (when it changes) and queues the panel's push of it, in one transaction. */
async function setDeviceLimit(ctx: EngineContext, sub: Subscription, deviceLimit: number | null): Promise<void> {
  await ctx.storage.transaction(async (tx) => {
    const current = await tx.subscriptions.get(sub.id);
    if (current === null || current.deviceLimit === deviceLimit) return;
    const next = await tx.subscriptions.update(current.id, { deviceLimit }, { expectedRevision: current.revision });
    await queueDeviceLimitPush(ctx, tx, next);
  });
}

/**
 * Carries out one case move, idempotently (a rerun finds the work done): `warn` has nothing to do here (the buyer's
 * notification went out from the `guard.warned` audit event through the host's outbox); `limit` gives a subscription
 * without a device limit the policy's `limitDevices` (the link refuses devices beyond it, and the panel gets it where
 * it enforces one); `suspend` is `kit.suspend`; a lift resumes a suspended subscription and puts back the device limit
 * a `limit` replaced. A later move of the case makes an older job a no-op.
 */
async function act(ctx: EngineContext, payload: z.output<typeof GuardActPayloadSchema>): Promise<void> {
  const [current] = await ctx.storage.guard.cases([payload.subscriptionId]);
  if (current === undefined || current.stepSeq !== payload.stepSeq) return;
  const sub = await ctx.storage.subscriptions.get(payload.subscriptionId);
  if (sub === null || sub.status === 'terminated') return;
  const actor = { type: 'system' as const, id: null };
  if (payload.step === 'limit') {
    if (sub.deviceLimit === null) await setDeviceLimit(ctx, sub, (await ctx.storage.guard.getPolicy()).policy.limitDevices);
  } else if (payload.step === 'suspend') {
    if (sub.status !== 'suspended') await suspend(ctx, { subscriptionId: sub.id, reason: GUARD_REASON, actor });
  } else if (payload.step === 'watching') {
    if (payload.from === 'suspend' && sub.status === 'suspended')
      await resume(ctx, { subscriptionId: sub.id, reason: GUARD_REASON, actor });
    if (payload.restore) await setDeviceLimit(ctx, sub, payload.restoreDeviceLimit);
  }
}

/** Runs `guard.act` jobs in the worker's process (their panel work is queued as the ordinary push jobs). */
export const guardActHandler: JobHandler = {
  type: GUARD_ACT_JOB,
  local: true,
  route: async () => null,
  run: eachAlone(async (env, job) => act(env.ctx, parsePayload(GuardActPayloadSchema, job.payload, job.type))),
};
