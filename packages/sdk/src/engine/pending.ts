import type { Subscription } from '../domain/subscription.js';
import { NotFoundError } from '../errors.js';
import { inputKey } from '../ports/storage-input/checks.js';
import type { StorageRepositories } from '../ports/storage.js';
import { JOB_TYPES } from './job-types.js';
import { isKnownDown } from './outage.js';

/**
 * Why a pending subscription is not live yet, for the buyer's and the admin's pages:
 * - `awaiting_approval`: its plan waits for an admin (`approveProvisioning`); nothing is queued.
 * - `panel_unavailable`: its server is known to be down; the job is parked, spends no attempts, and
 *   completes by itself when the panel is back (or is refunded at its give-up time).
 * - `provisioning`: being set up now (or retrying after a failed attempt).
 */
export type PendingReason = 'awaiting_approval' | 'panel_unavailable' | 'provisioning';

/**
 * The reason a subscription is pending, or `null` when it is not pending. Takes the subscription or
 * its id (`NotFoundError` when there is none). Reads its provisioning job and its panel's health.
 */
export async function pendingReason(repos: StorageRepositories, subscription: Subscription | string): Promise<PendingReason | null> {
  const sub = typeof subscription === 'string' ? await repos.subscriptions.get(inputKey(subscription, 'subscription id')) : subscription;
  if (sub === null) throw new NotFoundError('subscription', String(subscription));
  if (sub.status !== 'pending') return null;
  const job = (await repos.jobs.list({ dedupeKey: `${JOB_TYPES.provision}:${sub.id}` }, { limit: 1 })).items[0];
  if (job === undefined) return 'awaiting_approval';
  if (job.state !== 'queued' && job.state !== 'running') return 'provisioning';
  if (job.parkedOn !== null) return 'panel_unavailable';
  const panel = await repos.panels.get(sub.panelId);
  return panel !== null && isKnownDown(panel) ? 'panel_unavailable' : 'provisioning';
}
