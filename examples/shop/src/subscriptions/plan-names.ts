import type { StoragePort } from '@panelkit/sdk';

/** The names of the plans these rows name, each looked up once. */
export async function planNames(storage: StoragePort, rows: ReadonlyArray<{ planId: string }>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const { planId } of rows) {
    if (!names.has(planId)) names.set(planId, (await storage.plans.get(planId))?.name ?? planId);
  }
  return names;
}
