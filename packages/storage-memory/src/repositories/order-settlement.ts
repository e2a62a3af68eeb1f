import { MAX_ROWS_PER_CALL, inputKeys } from '@panelkit/sdk/storage';
import type { Order, OrderStatus } from '@panelkit/sdk';
import type { OrderSettlement } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import { compareStrings, compareTimeKeys } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { ascending } from '../internal/paging.js';
import type { Table } from '../internal/table.js';
import type { SubscriptionTables } from '../tables/subscriptions.js';
import type { ReferralTables } from './referrals.js';

/** `orders.settle`: each order's subscriptions read through their order index, under the storage's lock. */
export function orderSettlementOperation(orders: Table<Order>, subscriptions: SubscriptionTables, referrals: ReferralTables) {
  return function settle(op: Op, ids: readonly string[]): OrderSettlement[] {
    const settled: OrderSettlement[] = [];
    for (const id of [...new Set(inputKeys(ids, 'order ids', MAX_ROWS_PER_CALL))].sort(compareStrings)) {
      const before = orders.get(id);
      if (before === undefined) continue;
      let total = 0;
      let failed = 0;
      let pending = false;
      for (const [, subId] of ascending(subscriptions.byOrder.tree(id), compareTimeKeys)) {
        const status = subscriptions.subscriptions.load(subId).status;
        total++;
        if (status === 'pending') pending = true;
        else if (status === 'failed') failed++;
      }
      if (pending) continue;
      const status: OrderStatus = failed === 0 ? 'completed' : failed === total ? 'failed' : 'partially_failed';
      if (status === before.status) continue;
      const after: Order = { ...before, status, updatedAt: op.now };
      orders.replace(op.undo, after);
      const referral = referrals.referrals.get(after.customerId);
      settled.push({ order: copy(after), from: before.status, referralPending: referral?.status === 'pending' });
    }
    return settled;
  };
}
