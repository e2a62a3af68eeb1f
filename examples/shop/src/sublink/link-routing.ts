import type { Subscription } from '@panelkit/sdk';
import { routingPresetsOf, type PlanRoutingDb } from '../db/plan-routing.js';
import { directRoutingOf, type DirectRouting } from './routing.js';

/** What an answer serving these subscriptions routes direct: their plans' presets together, or `null` (none has one). */
export async function routingOfSubscriptions(shop: PlanRoutingDb, subscriptions: readonly Subscription[]): Promise<DirectRouting | null> {
  if (subscriptions.length === 0) return null;
  const presets = await routingPresetsOf(
    shop,
    subscriptions.map((s) => s.planId),
  );
  return directRoutingOf(presets.values());
}
