import type { Clock } from '@panelkit/sdk';
import { allPlanRoutings, type PlanRoutingDb, type PlanRoutings, type RoutingPreset } from '../../db/plan-routing.js';
import { LINK_NOTICE_TTL_MS } from '../subscriptions/link-notice.js';
import { replicaRead } from '../subscriptions/replica-read.js';

/** What the plans' presets are read from: the shop's tables, and the clock their replica read is kept by. */
export type RoutingPresetsDb = PlanRoutingDb & { readonly clock: Clock };

/**
 * The plans' presets as the buyer's link reads them: every plan's at once, at most once per `LINK_NOTICE_TTL_MS` per
 * replica, like the owner's notice (a preset changes when the owner saves a plan; client apps refresh in storms).
 */
const presetReads = replicaRead<PlanRoutings, RoutingPresetsDb>(allPlanRoutings, LINK_NOTICE_TTL_MS);

/** Every plan's routing preset, by plan id, as this replica last read them (read anew once the time is up). */
export async function routingPresetsByPlan(shop: RoutingPresetsDb): Promise<Map<string, RoutingPreset>> {
  return (await presetReads.get(shop)).presets;
}

/** The plans whose preset the owner removed (`savePlanRouting`), as this replica last read them. */
export async function plansWithRoutingTurnedOff(shop: RoutingPresetsDb): Promise<ReadonlySet<string>> {
  return (await presetReads.get(shop)).turnedOff;
}

/** Makes this replica read the presets anew at once (after the owner saved one here). */
export function forgetRoutingPresets(shop: RoutingPresetsDb): void {
  presetReads.forget(shop);
}
