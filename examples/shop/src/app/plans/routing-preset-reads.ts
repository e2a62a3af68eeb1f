import type { Clock } from '@panelkit/sdk';
import { allPlanRoutings, type PlanRoutingDb, type PlanRoutings } from '../../db/plan-routing.js';
import { LINK_NOTICE_TTL_MS } from '../subscriptions/link-notice.js';
import { replicaRead } from '../subscriptions/replica-read.js';

/** What the plans' presets are read from: the shop's tables, and the clock their replica read is kept by. */
export type RoutingPresetsDb = PlanRoutingDb & { readonly clock: Clock };

/**
 * The plans' presets as the buyer's link reads them: every plan's at once, at most once per `LINK_NOTICE_TTL_MS` per
 * replica, like the owner's notice (a preset changes when the owner saves a plan; client apps refresh in storms).
 */
const presetReads = replicaRead<PlanRoutings, RoutingPresetsDb>(allPlanRoutings, LINK_NOTICE_TTL_MS);

/** Every plan's routing preset and the plans whose preset was removed, as this replica last read them. */
export function planRoutingForLinks(shop: RoutingPresetsDb): Promise<PlanRoutings> {
  return presetReads.get(shop);
}

/** Makes this replica read the presets anew at once (after the owner saved one here). */
export function forgetRoutingPresets(shop: RoutingPresetsDb): void {
  presetReads.forget(shop);
}
