import type { Subscription } from '@panelkit/sdk';
import { routingPresetsByPlan, type RoutingPresetsDb } from '../app/plans/routing-preset-reads.js';
import { directRoutingOf, type DirectRouting } from './routing.js';

/** What the link reads the plans' presets from (`app/plans/routing-preset-reads.ts`: once per TTL per replica). */
export type LinkRoutingDb = RoutingPresetsDb;

/** What an answer serving these subscriptions routes direct: their plans' presets together, or `null` (none has one). */
export async function routingOfSubscriptions(shop: LinkRoutingDb, subscriptions: readonly Subscription[]): Promise<DirectRouting | null> {
  if (subscriptions.length === 0) return null;
  const presets = await routingPresetsByPlan(shop);
  return directRoutingOf(subscriptions.flatMap((s) => presets.get(s.planId) ?? []));
}
