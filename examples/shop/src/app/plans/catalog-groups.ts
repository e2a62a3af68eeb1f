import type { Plan } from '@panelkit/sdk';

/** The plans on sale in one location, for the catalog (web and bot). */
export interface CatalogGroup {
  /** `null`: plans that may be placed anywhere. */
  location: string | null;
  plans: Plan[];
}

/** Plans on sale, grouped by the locations they may be placed in (a plan open to several appears under each). */
export function groupByLocation(plans: Plan[]): CatalogGroup[] {
  const groups = new Map<string | null, Plan[]>();
  for (const plan of plans) {
    const locations = plan.placement.allowedLocations.length === 0 ? [null] : plan.placement.allowedLocations;
    for (const location of locations) groups.set(location, [...(groups.get(location) ?? []), plan]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([location, list]) => ({ location, plans: list }));
}
