import type { Subscription } from '../domain/subscription.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { EngineContext } from './context.js';
import { JOB_TYPES, jobAttempts, subscriptionJob } from './job-types.js';
import { writeSerialKey } from './serial-keys.js';

/** The dedupe key of a subscription's device limit push: at most one queued at a time, and it pushes what is stored when it runs. */
function deviceLimitKey(subscriptionId: string): string {
  return `${JOB_TYPES.pushDeviceLimit}:${subscriptionId}`;
}

/**
 * Queues, in `tx`, the job that sets the subscription's device limit on its panel to the one stored when it runs,
 * where the panel enforces a limit of its own (`capabilities.deviceLimit`); nothing otherwise (the link enforces it).
 */
export async function queueDeviceLimitPush(ctx: EngineContext, tx: StorageRepositories, sub: Subscription): Promise<void> {
  const panel = await tx.panels.get(sub.panelId);
  if (panel === null || !ctx.panels.handleFor(panel).adapter.capabilities.deviceLimit) return;
  const serialKey = await writeSerialKey(ctx, tx, sub);
  await tx.jobs.enqueue({
    ...subscriptionJob(JOB_TYPES.pushDeviceLimit, sub.id, { subscriptionId: sub.id }, jobAttempts(ctx.policy), serialKey),
    dedupeKey: deviceLimitKey(sub.id),
  });
}
