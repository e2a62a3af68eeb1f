import { HAS_REMOTE_CLIENT, JOB_TYPES, canTransition, type Job, type Subscription } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/** The job types that act on one subscription (dedupe key `<type>:<subscriptionId>`, see job-types.ts). */
const SUBSCRIPTION_JOB_TYPES = [JOB_TYPES.provision, JOB_TYPES.update, JOB_TYPES.push, JOB_TYPES.remove] as const;

/** A subscription's jobs of every type, newest first. */
export async function jobsOf(shop: Shop, subscriptionId: string): Promise<Job[]> {
  const pages = await Promise.all(
    SUBSCRIPTION_JOB_TYPES.map((type) => shop.storage.jobs.list({ dedupeKey: `${type}:${subscriptionId}` }, { limit: 20 })),
  );
  return pages.flatMap((p) => p.items).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id));
}

/** What an admin may do to a subscription in its state (the engine checks again on submit). */
export interface SubscriptionActions {
  retry: boolean;
  /** Pending with no provisioning job: its plan waits for an admin. */
  approve: boolean;
  suspend: boolean;
  resume: boolean;
  terminate: boolean;
}

export function actionsFor(sub: Subscription, jobs: readonly Job[]): SubscriptionActions {
  const provisioning = jobs.some((j) => j.type === JOB_TYPES.provision && (j.state === 'queued' || j.state === 'running'));
  return {
    retry: sub.status === 'failed',
    approve: sub.status === 'pending' && !provisioning,
    suspend: HAS_REMOTE_CLIENT.has(sub.status) && canTransition(sub.status, 'suspended'),
    resume: sub.status === 'suspended',
    terminate: canTransition(sub.status, 'terminated'),
  };
}

/** A dead job an admin may put back in the queue: not provisioning, whose death already failed (and refunded) the subscription; that is retried as a whole. */
export function retryableJob(job: Job): boolean {
  return job.state === 'dead' && job.type !== JOB_TYPES.provision;
}

/** Names of plans, panels and targets by id, for pages that show many subscriptions. */
export async function namesOf(shop: Shop): Promise<Map<string, string>> {
  const [plans, panels, targets] = await Promise.all([shop.storage.plans.list(), shop.storage.panels.list(), shop.storage.targets.list()]);
  return new Map([...plans, ...panels, ...targets].map((x) => [x.id, x.name]));
}
