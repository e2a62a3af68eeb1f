import type { Subscription } from '@panelkit/sdk';
import {
  plansWithRoutingTurnedOff,
  routingPresetsByPlan,
  type RoutingPresetsDb,
} from '../../../../examples/shop/src/app/plans/routing-preset-reads.js';
import { directRoutingOf, type DirectRouting } from './routing.js';

/** What the link reads the plans' presets from (`app/plans/routing-preset-reads.ts`: once per TTL per replica). */
export type LinkRoutingDb = RoutingPresetsDb;

/** What an answer serving these subscriptions routes direct: their plans' presets together, or `null` (none has one). */
export async function routingOfSubscriptions(shop: LinkRoutingDb, subscriptions: readonly Subscription[]): Promise<DirectRouting | null> {
  if (subscriptions.length === 0) return null;
  const presets = await routingPresetsByPlan(shop);
  return directRoutingOf(subscriptions.flatMap((s) => presets.get(s.planId) ?? []));
}

/**
 * Whether an answer serving these subscriptions must tell the apps to turn routing off: none of their plans has a
 * preset now, and one had (the owner removed it), so an app that keeps the last profile it got (Happ) still routes
 * by it. A plan never given a preset never asks this.
 */
export async function routingTurnedOffFor(shop: LinkRoutingDb, subscriptions: readonly Subscription[]): Promise<boolean> {
  if (subscriptions.length === 0 || (await routingOfSubscriptions(shop, subscriptions)) !== null) return false;
  const turnedOff = await plansWithRoutingTurnedOff(shop);
  return subscriptions.some((s) => turnedOff.has(s.planId));
}
