import { ConflictError, type Actor, type Job } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/**
 * Puts a dead job back in the queue with a fresh attempt budget, audited as `job.retried` (its type and dedupe
 * key) in the same transaction. `not_found` for an unknown job; `conflict` when it is not dead (a second
 * click, another admin, or a queued twin with its dedupe key): nothing is written then.
 */
export async function retryDeadJob(shop: Shop, jobId: string, actor: Actor): Promise<Job> {
  const job = await shop.storage.jobs.get(jobId);
  if (job === null) throw new ShopError('not_found', 'errors.notFound');
  if (job.state !== 'dead') throw new ShopError('conflict', 'errors.conflict');
  try {
    // `retry` itself refuses a job no longer dead (another admin was first): the audit entry is then not written either.
    return await shop.storage.transaction(async (tx) => {
      const retried = await tx.jobs.retry(job.id);
      await tx.audit.append({
        actor,
        action: 'job.retried',
        subjectType: 'job',
        subjectId: job.id,
        data: { type: job.type, dedupeKey: job.dedupeKey },
      });
      return retried;
    });
  } catch (error) {
    if (ConflictError.is(error)) throw new ShopError('conflict', 'errors.conflict');
    throw error;
  }
}
