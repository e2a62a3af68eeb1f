import { idCursorCodec, inputKey, parseDueQuery, parsePageWindow, parsePanelStatusFilter, timeCursorCodec } from '@panelkit/sdk/storage';
import type { Page, PageRequest, Subscription, SubscriptionStatus } from '@panelkit/sdk';
import type { DueQuery } from '@panelkit/sdk/storage';
import type { TimeKey } from '@panelkit/sdk/storage';
import { copy } from '../internal/copy.js';
import { compareStrings, compareTimeKeys } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { ascending, collectPage, descending, merge, takeWhile } from '../internal/paging.js';
import { ALL } from '../internal/sorted-index.js';
import type { SubscriptionTables } from '../tables/subscriptions.js';
import { panelStatusPartition } from '../tables/subscriptions.js';

/**
 * The subscription reads. Each walks only the index partitions its arguments select, from the
 * cursor on, so its cost follows the rows it returns (plus rows a status filter skips).
 */
export function subscriptionQueryOperations(tables: SubscriptionTables) {
  const { subscriptions } = tables;
  const load = (id: string): Subscription => subscriptions.load(id);
  const loadByTimeKey = ([, id]: TimeKey): Subscription => subscriptions.load(id);

  /** Rows with `time < end` from per-status trees of `index`, merged in `(time, id)` order. */
  function timeRange(
    index: SubscriptionTables['byExpiry'],
    statuses: readonly SubscriptionStatus[],
    range: { from: Date | undefined; end: Date },
    page: PageRequest,
  ): Page<Subscription> {
    const window = parsePageWindow(page, timeCursorCodec);
    const from: TimeKey | undefined = range.from === undefined ? undefined : [range.from.getTime(), ''];
    const end = range.end.getTime();
    const streams = statuses.map((status) =>
      takeWhile(ascending(index.tree(status), compareTimeKeys, { from, after: window.after }), ([ms]) => ms < end),
    );
    return collectPage(merge(streams, compareTimeKeys), window, timeCursorCodec, loadByTimeKey);
  }

  /** Rows of one id-ordered index partition. */
  function byId(index: SubscriptionTables['overLimit'], page: PageRequest): Page<Subscription> {
    const window = parsePageWindow(page, idCursorCodec);
    return collectPage(ascending(index.tree(ALL), compareStrings, { after: window.after }), window, idCursorCodec, load);
  }

  return {
    listByCustomer(_op: Op, customerId: string, page: PageRequest): Page<Subscription> {
      const window = parsePageWindow(page, timeCursorCodec);
      const tree = tables.byCustomer.tree(inputKey(customerId, 'customer id'));
      return collectPage(descending(tree, window.after), window, timeCursorCodec, loadByTimeKey);
    },

    listByOrder(_op: Op, orderId: string): Subscription[] {
      const tree = tables.byOrder.tree(inputKey(orderId, 'order id'));
      return [...ascending(tree, compareTimeKeys)].map((key) => copy(loadByTimeKey(key)));
    },

    listByPanel(_op: Op, panelId: string, filter: { statuses?: readonly SubscriptionStatus[] }, page: PageRequest): Page<Subscription> {
      const panel = inputKey(panelId, 'panel id');
      const statuses = parsePanelStatusFilter(filter);
      const window = parsePageWindow(page, idCursorCodec);
      const streams = statuses.map((status) =>
        ascending(tables.byPanelStatus.tree(panelStatusPartition(panel, status)), compareStrings, { after: window.after }),
      );
      return collectPage(merge(streams, compareStrings), window, idCursorCodec, load);
    },

    listDue(_op: Op, query: DueQuery, page: PageRequest): Page<Subscription> {
      const due = parseDueQuery(query);
      switch (due.kind) {
        case 'expiring':
          return timeRange(tables.byExpiry, due.statuses, { from: due.from, end: due.to }, page);
        case 'stale_status':
          return timeRange(tables.byStatusSince, due.statuses, { from: undefined, end: due.before }, page);
        case 'over_limit':
          return byId(tables.overLimit, page);
        case 'first_use':
          return byId(tables.firstUse, page);
      }
    },
  };
}
