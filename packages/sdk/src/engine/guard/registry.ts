import type { Subscription } from '../../domain/subscription.js';
import type { GuardReadingRecord } from '../../ports/storage-guard.js';
import { MAX_ROWS_PER_CALL } from '../../ports/storage.js';
import type { GuardPolicy } from '../../rules/guard/policy.js';
import type { EngineContext } from '../context.js';
import { guardRecordsFromDevices } from './readings.js';

/** How far back a registry reading looks: apps refresh their link at least hourly while in use. */
const REGISTRY_WINDOW_MS = 3_600_000;

/**
 * The instant from which a device counts as seen: an hour ago, less the engine's `policy.deviceSeenEveryMs` (a refresh
 * inside that interval writes nothing, so a stored `lastSeenAt` lags the app's last fetch by less): a device that
 * fetched its link within the hour is never missed; one that fetched up to that interval earlier may count too.
 */
export function guardRegistrySince(ctx: EngineContext): Date {
  return new Date(ctx.clock.now().getTime() - REGISTRY_WINDOW_MS - ctx.policy.deviceSeenEveryMs);
}

/**
 * The device registry's readings of live subscriptions (see `guardRecordsFromDevices`): one `devices.countSeen` a
 * {@link MAX_ROWS_PER_CALL} subscriptions, every reading taken at the same instant.
 */
export async function readRegistryForGuard(
  ctx: EngineContext,
  policy: GuardPolicy,
  subscriptions: readonly Subscription[],
): Promise<GuardReadingRecord[]> {
  const at = ctx.clock.now();
  const since = guardRegistrySince(ctx);
  const records: GuardReadingRecord[] = [];
  for (let i = 0; i < subscriptions.length; i += MAX_ROWS_PER_CALL) {
    const page = subscriptions.slice(i, i + MAX_ROWS_PER_CALL);
    const counts = await ctx.storage.devices.countSeen(
      page.map((s) => s.id),
      since,
    );
    records.push(...guardRecordsFromDevices(page, counts, { policy, at }));
  }
  return records;
}
