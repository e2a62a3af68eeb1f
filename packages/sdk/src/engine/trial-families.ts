import type { StorageRepositories } from '../ports/storage.js';

/** The plan families the customer has had a trial of, read from its subscriptions (every state, every page). */
export async function usedTrialFamilies(tx: StorageRepositories, customerId: string): Promise<string[]> {
  const families = new Set<string>();
  const planFamilies = new Map<string, string>();
  let cursor: string | null | undefined = null;
  do {
    const page = await tx.subscriptions.listByCustomer(customerId, { limit: 1000, cursor });
    for (const sub of page.items) {
      if (!sub.trial) continue;
      let family = planFamilies.get(sub.planId);
      if (family === undefined) {
        family = (await tx.plans.get(sub.planId))?.family ?? '';
        planFamilies.set(sub.planId, family);
      }
      families.add(family);
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return [...families];
}
