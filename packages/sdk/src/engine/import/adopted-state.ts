import type { SubscriptionStatus } from '../../domain/subscription-status.js';
import type { RemoteClient } from '../../ports/panel.js';

const DAY_MS = 86_400_000;

/** What an adopted client's subscription starts as: its status, expiry and period, read off the panel. */
export type AdoptedState =
  | { ok: true; status: SubscriptionStatus; expiresAt: Date | null; startOnFirstUse: boolean; onHoldDays: number | null }
  | { ok: false; reason: 'no_expiry' };

/**
 * The subscription state a client on a panel stands for, as it is now. A client the panel still lets
 * connect is `active` even when past its end or its traffic: the scheduler's sweeps then expire or
 * limit it the usual way (with the buyer's notice). A client the panel has switched off is `expired`
 * past its end, `limited` at its traffic limit, else `suspended` (an admin turned it off).
 */
export function adoptedState(client: RemoteClient, now: Date): AdoptedState {
  const { expiry } = client;
  if (expiry.type === 'never') return { ok: false, reason: 'no_expiry' };
  if (expiry.type === 'after_first_use') {
    return {
      ok: true,
      status: 'on_hold',
      expiresAt: null,
      startOnFirstUse: true,
      onHoldDays: Math.max(1, Math.round(expiry.durationMs / DAY_MS)),
    };
  }
  const base = { ok: true as const, expiresAt: expiry.at, startOnFirstUse: false, onHoldDays: null };
  if (client.enabled) return { ...base, status: 'active' };
  if (expiry.at.getTime() <= now.getTime()) return { ...base, status: 'expired' };
  if (client.trafficLimitBytes !== null && client.usedBytes >= client.trafficLimitBytes) return { ...base, status: 'limited' };
  return { ...base, status: 'suspended' };
}
