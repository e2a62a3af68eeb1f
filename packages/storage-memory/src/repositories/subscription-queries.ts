import { SUBSCRIPTION_STATUSES, SubscriptionStatusSchema, parseInput } from '@panelkit/sdk';
import type { DueQuery, Page, PageRequest, Subscription, SubscriptionStatus } from '@panelkit/sdk';
import { copy } from '../internal/copy.js';
import { compareStrings, compareTimeKeys, idKeyCodec, timeKeyCodec } from '../internal/keys.js';
import type { TimeKey } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import { ascending, collectPage, descending, merge, pageWindow, takeWhile } from '../internal/paging.js';
import { ALL } from '../internal/sorted-index.js';
import { asDate, asKey, asRecord, invalid } from '../internal/validate.js';
import type { SubscriptionTables } from '../tables/subscriptions.js';
import { panelStatusPartition } from '../tables/subscriptions.js';

/** Distinct statuses, validated; duplicates would merge one index twice. */
function parseStatuses(value: unknown, what: string): SubscriptionStatus[] {
  return [...new Set(parseInput(SubscriptionStatusSchema.array(), value, what))];
}

type ParsedDueQuery =
  | { kind: 'expiring'; statuses: SubscriptionStatus[]; from: Date | undefined; to: Date }
  | { kind: 'over_limit' }
  | { kind: 'first_use' }
  | { kind: 'stale_status'; statuses: SubscriptionStatus[]; before: Date };

function parseDueQuery(query: DueQuery): ParsedDueQuery {
  const input = asRecord(query, 'due query');
  switch (input['kind']) {
    case 'expiring':
      return {
        kind: 'expiring',
        statuses: parseStatuses(input['statuses'], 'due query statuses'),
        from: input['from'] === undefined ? undefined : asDate(input['from'], 'due query', 'from'),
        to: asDate(input['to'], 'due query', 'to'),
      };
    case 'over_limit':
      return { kind: 'over_limit' };
    case 'first_use':
      return { kind: 'first_use' };
    case 'stale_status':
      return {
        kind: 'stale_status',
        statuses: parseStatuses(input['statuses'], 'due query statuses'),
        before: asDate(input['before'], 'due query', 'before'),
      };
    default:
      return invalid('due query', 'kind', 'must be expiring, over_limit, first_use or stale_status');
  }
}

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
    const window = pageWindow(page, timeKeyCodec);
    const from: TimeKey | undefined = range.from === undefined ? undefined : [range.from.getTime(), ''];
    const end = range.end.getTime();
    const streams = statuses.map((status) =>
      takeWhile(ascending(index.tree(status), compareTimeKeys, { from, after: window.after }), ([ms]) => ms < end),
    );
    return collectPage(merge(streams, compareTimeKeys), window, timeKeyCodec, loadByTimeKey);
  }

  /** Rows of one id-ordered index partition. */
  function byId(index: SubscriptionTables['overLimit'], page: PageRequest): Page<Subscription> {
    const window = pageWindow(page, idKeyCodec);
    return collectPage(ascending(index.tree(ALL), compareStrings, { after: window.after }), window, idKeyCodec, load);
  }

  return {
    listByCustomer(_op: Op, customerId: string, page: PageRequest): Page<Subscription> {
      const window = pageWindow(page, timeKeyCodec);
      const tree = tables.byCustomer.tree(asKey(customerId, 'customer id'));
      return collectPage(descending(tree, window.after), window, timeKeyCodec, loadByTimeKey);
    },

    listByOrder(_op: Op, orderId: string): Subscription[] {
      const tree = tables.byOrder.tree(asKey(orderId, 'order id'));
      return [...ascending(tree, compareTimeKeys)].map((key) => copy(loadByTimeKey(key)));
    },

    listByPanel(
      _op: Op,
      panelId: string,
      filter: { statuses?: readonly SubscriptionStatus[] },
      page: PageRequest,
    ): Page<Subscription> {
      const panel = asKey(panelId, 'panel id');
      const given = asRecord(filter ?? {}, 'panel filter')['statuses'];
      const statuses = given === undefined ? SUBSCRIPTION_STATUSES : parseStatuses(given, 'panel filter statuses');
      const window = pageWindow(page, idKeyCodec);
      const streams = statuses.map((status) =>
        ascending(tables.byPanelStatus.tree(panelStatusPartition(panel, status)), compareStrings, { after: window.after }),
      );
      return collectPage(merge(streams, compareStrings), window, idKeyCodec, load);
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
