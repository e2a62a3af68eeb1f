import type { Subscription } from '@panelkit/sdk';
import { type DirectRouting, directRoutingOf, type RoutingPreset } from './routing.js';

/**
 * The plans' routing as a host keeps it: each plan's preset (a plan without one is absent), and the plans whose
 * preset the owner removed after their buyers' apps were sent one (an app that keeps the last profile it got, Happ,
 * must then be told to turn routing off).
 */
export interface PlanRouting {
  readonly presets: ReadonlyMap<string, RoutingPreset>;
  readonly turnedOff?: ReadonlySet<string>;
}

/** What an answer serving these subscriptions routes direct: their plans' presets together, or `null` (none has one). */
export function routingOfSubscriptions(plans: PlanRouting, subscriptions: readonly Subscription[]): DirectRouting | null {
  return directRoutingOf(subscriptions.flatMap((s) => plans.presets.get(s.planId) ?? []));
}

/**
 * Whether an answer serving these subscriptions must tell the apps to turn routing off: none of their plans has a
 * preset now, and one had (the owner removed it). A plan never given a preset never asks this.
 */
export function routingTurnedOffFor(plans: PlanRouting, subscriptions: readonly Subscription[]): boolean {
  if (subscriptions.length === 0 || routingOfSubscriptions(plans, subscriptions) !== null) return false;
  return subscriptions.some((s) => plans.turnedOff?.has(s.planId) ?? false);
}
