import type { Panel } from '../domain/panel.js';
import type { Plan } from '../domain/plan.js';
import type { Target } from '../domain/target.js';
import { NotFoundError } from '../errors.js';
import type { EngineContext } from './context.js';
import { placementOrder } from './placement.js';

/**
 * One location a plan offers its buyers: the panels' location tag (`Panel.locationTags`), its country (ISO 3166-1
 * alpha-2) and the name buyers read from the owner's catalog (`kit.locations`; `country: null` and the tag as its name
 * when the owner has not named it), and whether a subscription placed there now would find room. Load is never shown
 * as a figure: `busy` means a purchase there would be refused (`CapacityExhaustedError`, `location_full`).
 */
export interface PlanLocation {
  location: string;
  country: string | null;
  name: string;
  status: 'available' | 'busy';
}

/**
 * The locations a buyer may choose for `plan`: a built plan's location options, else the plan's allowed locations,
 * else every location tag of an enabled panel (sorted). Reads nothing: `panels` is needed only for a plan with no
 * allowed locations (what `kit.planLocations` lists, without its names and room).
 */
export function offeredLocations(plan: Plan, panels: readonly Panel[]): string[] {
  if (plan.builder?.locations) return [...plan.builder.locations.options];
  if (plan.placement.allowedLocations.length > 0) return [...plan.placement.allowedLocations];
  return [...new Set(panels.filter((p) => p.enabled).flatMap((p) => p.locationTags))].sort();
}

/** The targets of `targets` on a panel carrying `location`. */
export function targetsIn(location: string, targets: readonly Target[], panels: readonly Panel[]): Target[] {
  const panelById = new Map(panels.map((p) => [p.id, p]));
  return targets.filter((t) => panelById.get(t.panelId)?.locationTags.includes(location) === true);
}

/** Whether a target in `location` may take one more subscription of `plan` now (its placement rules and capacity). */
export function hasRoomIn(plan: Plan, location: string, targets: readonly Target[], panels: readonly Panel[]): boolean {
  if (plan.maxClients !== null && plan.allocated >= plan.maxClients) return false;
  const roomy = targetsIn(location, targets, panels).filter((t) => t.capacity === null || t.allocated < t.capacity);
  return plan.kinds.every((kind) => placementOrder(plan, roomy, panels, kind).length > 0);
}

/**
 * The locations `plan` offers, each named from the owner's catalog and `available` or `busy` (see {@link PlanLocation}),
 * read now: what a location picker shows. `NotFoundError` for an unknown plan.
 */
export async function planLocations(ctx: EngineContext, planId: string): Promise<PlanLocation[]> {
  const plan = await ctx.storage.plans.get(planId);
  if (plan === null) throw new NotFoundError('plan', planId);
  const [targets, panels, catalog] = await Promise.all([
    ctx.storage.targets.list(),
    ctx.storage.panels.list(),
    ctx.storage.locations.list(),
  ]);
  const named = new Map(catalog.map((entry) => [entry.location, entry]));
  return offeredLocations(plan, panels).map((location) => ({
    location,
    country: named.get(location)?.country ?? null,
    name: named.get(location)?.name ?? location,
    status: hasRoomIn(plan, location, targets, panels) ? 'available' : 'busy',
  }));
}
