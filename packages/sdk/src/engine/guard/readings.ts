import type { Subscription } from '../../domain/subscription.js';
import type { ClientAddressesCapability, ClientAddressReading } from '../../ports/panel-client-addresses.js';
import type { DeviceSeenCount } from '../../ports/storage-devices.js';
import type { GuardReadingRecord } from '../../ports/storage-guard.js';
import { guardPrefixHashes } from '../../rules/guard/addresses.js';
import type { GuardPolicy, GuardSourceClass } from '../../rules/guard/policy.js';
import { guardReading } from '../../rules/guard/window.js';

/** Under five minutes a panel reports live connections; longer, a union over its window (3x-ui's 30 minutes). */
const LIVE_WINDOW_SECONDS = 300;

/** How a panel's address readings count against the allowance, from its declared capability (never its kind's name). */
export function guardSourceClass(capability: ClientAddressesCapability): GuardSourceClass {
  return capability.windowSeconds < LIVE_WINDOW_SECONDS ? 'live' : 'windowed';
}

/**
 * A panel's address readings as the guard records them: each client matched to its subscription by username
 * (clients the shop does not know are skipped), its addresses reduced to the count of distinct keyed network hashes
 * and weighed against the subscription's device limit. A `null` reading stays `null` (no reading), never zero.
 */
export function guardRecordsFromAddresses(
  readings: readonly ClientAddressReading[],
  subscriptionsByUsername: ReadonlyMap<string, Subscription>,
  input: { policy: GuardPolicy; key: Buffer; source: GuardSourceClass },
): GuardReadingRecord[] {
  const records: GuardReadingRecord[] = [];
  for (const reading of readings) {
    const sub = subscriptionsByUsername.get(reading.username);
    if (sub === undefined) continue;
    if (reading.addresses === null) {
      records.push({ subscriptionId: sub.id, at: reading.at, prefixes: null, over: false });
      continue;
    }
    const prefixes = guardPrefixHashes(
      reading.addresses.map((a) => a.ip),
      input.key,
    ).length;
    const { over } = guardReading({ prefixes, deviceLimit: sub.deviceLimit, source: input.source, policy: input.policy });
    records.push({ subscriptionId: sub.id, at: reading.at, prefixes, over });
  }
  return records;
}

/**
 * The device registry's readings, as the guard records them for subscriptions their panel reports no addresses for:
 * each subscription's devices that fetched its link within the window (`devices.countSeen`), weighed as `registry`
 * against its device limit. A subscription no device fetched is `null` (no reading), never zero devices: an app that
 * has not refreshed says nothing about sharing.
 */
export function guardRecordsFromDevices(
  subscriptions: readonly Subscription[],
  counts: readonly DeviceSeenCount[],
  input: { policy: GuardPolicy; at: Date },
): GuardReadingRecord[] {
  const seen = new Map(counts.map((c) => [c.subscriptionId, c.devices]));
  return subscriptions.map((sub) => {
    const prefixes = seen.get(sub.id);
    if (prefixes === undefined) return { subscriptionId: sub.id, at: input.at, prefixes: null, over: false };
    const { over } = guardReading({ prefixes, deviceLimit: sub.deviceLimit, source: 'registry', policy: input.policy });
    return { subscriptionId: sub.id, at: input.at, prefixes, over };
  });
}
