import type { Subscription } from '../domain/subscription.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import { type ClientPatch, type ClientSpec, capabilitiesFor, type Expiry, type PanelCapabilities, type TargetRef } from '../ports/panel.js';
import type { Target } from '../domain/target.js';
import { DAY_MS } from '../rules/time.js';

/**
 * The capabilities that hold for the subscription's client: the panel's, with its kind's overrides
 * (`capabilitiesFor`); the panel-wide ones for a kind the adapter does not declare, which its calls then refuse.
 */
function forKind(sub: Pick<Subscription, 'kind'>, capabilities: PanelCapabilities): PanelCapabilities {
  return capabilitiesFor(capabilities, sub.kind) ?? capabilities;
}

/** The expiry a client should have on its panel, given the subscription as stored. */
export function expiryOf(sub: Subscription, capabilities: PanelCapabilities): Expiry {
  if (sub.expiresAt !== null) return { type: 'at', at: sub.expiresAt };
  if (sub.startOnFirstUse && forKind(sub, capabilities).startOnFirstUse)
    return { type: 'after_first_use', durationMs: sub.durationDays * DAY_MS };
  return { type: 'never' };
}

/** Whether the client should accept connections in this status. */
export function enabledIn(status: SubscriptionStatus): boolean {
  return status === 'active' || status === 'on_hold' || status === 'pending';
}

export function targetRefOf(target: Target): TargetRef {
  return { remoteRef: target.remoteRef, protocol: target.protocol, remoteMeta: target.remoteMeta };
}

/** The client a subscription should have on its panel: its identity, expiry, limits, state and kind. */
export function specOf(sub: Subscription, capabilities: PanelCapabilities): ClientSpec {
  return {
    identity: sub.remote,
    expiry: expiryOf(sub, capabilities),
    trafficLimitBytes: sub.trafficLimitBytes,
    deviceLimit: forKind(sub, capabilities).deviceLimit ? sub.deviceLimit : null,
    enabled: enabledIn(sub.status),
    note: sub.id,
    ...(sub.kind === 'xray' ? {} : { kind: sub.kind }),
  };
}

export function patchOf(sub: Subscription, capabilities: PanelCapabilities): ClientPatch {
  return {
    expiry: expiryOf(sub, capabilities),
    trafficLimitBytes: sub.trafficLimitBytes,
    enabled: enabledIn(sub.status),
  };
}

/**
 * Where a suspended subscription goes when it resumes: whatever its time and usage imply.
 */
export function resumedStatus(sub: Subscription, now: Date): SubscriptionStatus {
  if (sub.expiresAt === null) return sub.startOnFirstUse && sub.activatedAt === null ? 'on_hold' : 'active';
  if (sub.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (sub.trafficLimitBytes !== null && sub.usedBytes !== null && sub.usedBytes >= sub.trafficLimitBytes) return 'limited';
  return 'active';
}
