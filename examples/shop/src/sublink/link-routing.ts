import type { Clock, Subscription } from '@panelkit/sdk';
import { replicaRead } from '../app/subscriptions/replica-read.js';
import { LINK_NOTICE_TTL_MS } from '../app/subscriptions/link-notice.js';
import { allRoutingPresets, type PlanRoutingDb, type RoutingPreset } from '../db/plan-routing.js';
import { directRoutingOf, type DirectRouting } from './routing.js';

/** What the link reads the plans' presets from: the shop's tables, and the clock their replica read is kept by. */
export type LinkRoutingDb = PlanRoutingDb & { readonly clock: Clock };

/**
 * The plans' presets as the buyer's link reads them: every plan's at once, at most once per `LINK_NOTICE_TTL_MS` per
 * replica, like the owner's notice (a preset changes when the owner saves a plan; client apps refresh in storms).
 */
const presetReads = replicaRead<Map<string, RoutingPreset>, LinkRoutingDb>(allRoutingPresets, LINK_NOTICE_TTL_MS);

/** Makes this replica's links read the presets anew at once (after the owner saved one here). */
export function forgetLinkRouting(shop: LinkRoutingDb): void {
  presetReads.forget(shop);
}

/** What an answer serving these subscriptions routes direct: their plans' presets together, or `null` (none has one). */
export async function routingOfSubscriptions(shop: LinkRoutingDb, subscriptions: readonly Subscription[]): Promise<DirectRouting | null> {
  if (subscriptions.length === 0) return null;
  const presets = await presetReads.get(shop);
  return directRoutingOf(subscriptions.flatMap((s) => presets.get(s.planId) ?? []));
}
