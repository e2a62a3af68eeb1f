import { JOB_TYPES, type StoragePort } from '@panelkit/sdk';

/**
 * Whether a paid extension or renewal of the subscription is queued or running. Mirrors the
 * engine's own `updateInFlight` (not exported by the SDK), which refuses a second change meanwhile.
 */
export async function changeInFlight(storage: StoragePort, subscriptionId: string): Promise<boolean> {
  const dedupeKey = `${JOB_TYPES.update}:${subscriptionId}`;
  for (const state of ['queued', 'running'] as const) {
    if ((await storage.jobs.list({ dedupeKey, state }, { limit: 1 })).items.length > 0) return true;
  }
  return false;
}
