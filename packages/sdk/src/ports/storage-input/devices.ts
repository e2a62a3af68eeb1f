import { MAX_ROWS_PER_CALL } from '../storage.js';
import { byCodePoint, inputDate, inputKeys } from './checks.js';

/**
 * A `devices.countSeen` argument checked the same way in every storage: at most {@link MAX_ROWS_PER_CALL} subscription
 * ids, answered as the distinct ids in code-point order, and a valid instant.
 */
export function parseDeviceSeenQuery(subscriptionIds: unknown, since: unknown): { subscriptionIds: string[]; since: Date } {
  const what = 'devices seen';
  const ids = inputKeys(subscriptionIds, what, MAX_ROWS_PER_CALL);
  return { subscriptionIds: [...new Set(ids)].sort(byCodePoint), since: inputDate(since, what, 'since') };
}
