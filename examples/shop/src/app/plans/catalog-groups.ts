import type { Plan } from '@panelkit/sdk';
import { buyerLocationNames, type NamedLocation } from '../../i18n/plan-text.js';
import type { Locale } from '../../i18n/translate.js';

/** The plans on sale in one location, for the catalog (web and bot). */
export interface CatalogGroup {
  /** `null`: plans that may be placed anywhere. */
  location: string | null;
  /** The location as buyers read it (`buyerLocationName`: the owner's name once named); `null` with `location`. */
  name: string | null;
  plans: Plan[];
}

/**
 * Plans on sale, grouped by the locations they may be placed in (a plan open to several appears under each), each
 * group named from the owner's location catalog (`named`: `kit.locations.list()`) in `locale`.
 */
export function groupByLocation(plans: Plan[], named: readonly NamedLocation[], locale: Locale): CatalogGroup[] {
  const groups = new Map<string | null, Plan[]>();
  for (const plan of plans) {
    const locations = plan.placement.allowedLocations.length === 0 ? [null] : plan.placement.allowedLocations;
    for (const location of locations) groups.set(location, [...(groups.get(location) ?? []), plan]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([location, list]) => ({
      location,
      name: location === null ? null : buyerLocationNames([location], named, locale)[0]!,
      plans: list,
    }));
}
