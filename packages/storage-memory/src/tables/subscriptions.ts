import type { Subscription } from '@panelkit/sdk';
import type { TimeKey } from '@panelkit/sdk/storage';
import { timeKey } from '@panelkit/sdk/storage';
import { compareStrings, compareTimeKeys } from '../internal/keys.js';
import { ALL, SortedIndex } from '../internal/sorted-index.js';
import { Table } from '../internal/table.js';
import { UniqueIndex, compositeKey } from '../internal/unique-index.js';

/**
 * The subscriptions table and the indexes its queries need. Every index is maintained on every
 * write through the table (and so undone with it), so each query reads only matching rows.
 */
export interface SubscriptionTables {
  readonly subscriptions: Table<Subscription>;
  /** `(panelId, remote.username)` is unique. */
  readonly byUsername: UniqueIndex<Subscription>;
  /** Per customer, by `(createdAt, id)`: `listByCustomer` (read newest first). */
  readonly byCustomer: SortedIndex<Subscription, TimeKey>;
  /** Per order, by `(createdAt, id)`: `listByOrder`. */
  readonly byOrder: SortedIndex<Subscription, TimeKey>;
  /** Per `(panelId, status)`, by id: `listByPanel` and per-panel counts. */
  readonly byPanelStatus: SortedIndex<Subscription, string>;
  /** Per status, by `(expiresAt, id)`, rows with an expiry only: `expiring`. */
  readonly byExpiry: SortedIndex<Subscription, TimeKey>;
  /** Per status, by `(statusChangedAt, id)`, every row: `stale_status` and global counts. */
  readonly byStatusSince: SortedIndex<Subscription, TimeKey>;
  /** By id: active rows with a limit and `usedBytes >= trafficLimitBytes` (`over_limit`). */
  readonly overLimit: SortedIndex<Subscription, string>;
  /** By id: on_hold rows with `usedBytes > 0` (`first_use`). */
  readonly firstUse: SortedIndex<Subscription, string>;
}

export function panelStatusPartition(panelId: string, status: string): string {
  return compositeKey(panelId, status);
}

function isOverLimit(s: Subscription): boolean {
  return s.status === 'active' && s.trafficLimitBytes !== null && s.usedBytes !== null && s.usedBytes >= s.trafficLimitBytes;
}

function isFirstUse(s: Subscription): boolean {
  return s.status === 'on_hold' && s.usedBytes !== null && s.usedBytes > 0;
}

export function createSubscriptionTables(): SubscriptionTables {
  const byUsername = new UniqueIndex<Subscription>('a subscription with this panel and remote username', (s) =>
    compositeKey(s.panelId, s.remote.username),
  );
  const byCustomer = new SortedIndex<Subscription, TimeKey>({
    partition: (s) => s.customerId,
    key: (s) => timeKey(s.createdAt, s.id),
    compare: compareTimeKeys,
  });
  const byOrder = new SortedIndex<Subscription, TimeKey>({
    partition: (s) => s.orderId,
    key: (s) => timeKey(s.createdAt, s.id),
    compare: compareTimeKeys,
  });
  const byPanelStatus = new SortedIndex<Subscription, string>({
    partition: (s) => panelStatusPartition(s.panelId, s.status),
    key: (s) => s.id,
    compare: compareStrings,
  });
  const byExpiry = new SortedIndex<Subscription, TimeKey>({
    partition: (s) => (s.expiresAt === null ? null : s.status),
    key: (s) => timeKey(s.expiresAt ?? s.createdAt, s.id),
    compare: compareTimeKeys,
  });
  const byStatusSince = new SortedIndex<Subscription, TimeKey>({
    partition: (s) => s.status,
    key: (s) => timeKey(s.statusChangedAt, s.id),
    compare: compareTimeKeys,
  });
  const overLimit = new SortedIndex<Subscription, string>({
    partition: (s) => (isOverLimit(s) ? ALL : null),
    key: (s) => s.id,
    compare: compareStrings,
  });
  const firstUse = new SortedIndex<Subscription, string>({
    partition: (s) => (isFirstUse(s) ? ALL : null),
    key: (s) => s.id,
    compare: compareStrings,
  });
  const subscriptions = new Table<Subscription>(
    'subscription',
    [byUsername],
    [byCustomer, byOrder, byPanelStatus, byExpiry, byStatusSince, overLimit, firstUse],
  );
  return { subscriptions, byUsername, byCustomer, byOrder, byPanelStatus, byExpiry, byStatusSince, overLimit, firstUse };
}
