import type { HostJobDefinition } from '@panelkit/sdk';
import { enqueueHostJobs } from '@panelkit/sdk/host-jobs';
import type { z } from 'zod';
import type { Shop } from '../shop.js';

/**
 * Queues one job per admin for a day's summary, in one transaction with the day's slot (`ticks.tryAcquire` on
 * the job's type at `from`: one replica wins it), each keyed `<day>:<admin>`, in one `enqueueMany`. Returns whether this call queued them.
 */
export async function queueDayJobs<S extends z.ZodType>(
  shop: Shop,
  job: HostJobDefinition<S>,
  slot: { day: string; from: Date },
  adminIds: readonly string[],
  payloadOf: (adminId: string) => z.input<S>,
): Promise<boolean> {
  return shop.storage.transaction(async (tx) => {
    if (!(await tx.ticks.tryAcquire(job.type, slot.from))) return false;
    await enqueueHostJobs(
      tx,
      job,
      adminIds.map((adminId) => ({ payload: payloadOf(adminId), options: { key: `${slot.day}:${adminId}` } })),
    );
    return true;
  });
}
