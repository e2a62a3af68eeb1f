import {
  idCursorCodec,
  inputKey,
  parseDueQuery,
  parsePageWindow,
  parsePanelStatusFilter,
  timeCursorCodec,
  timeKey,
} from '@panelkit/sdk/storage';
import type { Page, PageRequest, Subscription, SubscriptionStatus } from '@panelkit/sdk';
import type { DueQuery, SubscriptionRepository } from '@panelkit/sdk/storage';
import { timeBound, toPage } from '../internal/paging.js';
import type { RepositoryContext } from '../internal/runner.js';
import type { SqlQueryable } from '../client.js';
import { enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';
import { subscriptionFromRow } from './subscription-rows.js';

/**
 * One page over several statuses in one order: a `UNION ALL` of one `LIMIT`ed index range scan
 * per status (each on an index led by `status`), merged and cut to the page. Its cost is at most
 * `statuses × (limit + 1)` rows, whatever the table holds.
 *
 * `where` uses `$1…$n` for `params`; the status is `$s` and the limit `$l` in it, filled here.
 */
async function perStatus(
  db: SqlQueryable,
  table: string,
  statuses: readonly SubscriptionStatus[],
  query: { where: string; order: string; params: readonly unknown[]; limit: number },
  fromRow: (r: Row) => Subscription,
): Promise<Subscription[]> {
  if (statuses.length === 0) return [];
  const limitParam = `$${query.params.length + 1}`;
  const branches = statuses.map((_, i) => {
    const statusParam = `$${query.params.length + 2 + i}`;
    return `(SELECT * FROM ${table} WHERE status = ${statusParam} AND ${query.where} ORDER BY ${query.order} LIMIT ${limitParam})`;
  });
  const text =
    branches.length === 1
      ? branches[0]!
      : `SELECT * FROM (${branches.join(' UNION ALL ')}) AS due ORDER BY ${query.order} LIMIT ${limitParam}`;
  const { rows } = await db.query(text, [...query.params, query.limit, ...statuses]);
  return rows.map(fromRow);
}

type QueryMethods = Pick<SubscriptionRepository, 'listByCustomer' | 'listByOrder' | 'listByPanel' | 'listDue'>;

/** The subscription reads; each is served by one index in the order it pages in. */
export function subscriptionQueries({ runner, schema, secretBox }: RepositoryContext): QueryMethods {
  const fromRow = (r: Row) => subscriptionFromRow(r, secretBox);
  const table = `${schema}.subscriptions`;
  const read = { read: true } as const;

  /** `(time, id)` ascending pages of rows with `time` in `[from, end)`, for the given statuses. */
  async function timeRange(
    db: SqlQueryable,
    column: 'expires_at' | 'status_changed_at',
    statuses: SubscriptionStatus[],
    range: { from: Date | undefined; end: Date },
    page: PageRequest,
  ): Promise<Page<Subscription>> {
    const window = parsePageWindow(page, timeCursorCodec);
    const rows = await perStatus(
      db,
      table,
      statuses,
      {
        where: `${column} IS NOT NULL AND ${column} >= $1::timestamptz AND ${column} < $2::timestamptz AND (${column}, id) > ($3::timestamptz, $4::text)`,
        order: `${column}, id`,
        params: [range.from === undefined ? '-infinity' : enc.time(range.from), enc.time(range.end), ...timeBound(window.after, 'asc')],
        limit: window.limit + 1,
      },
      fromRow,
    );
    const keyOf = (s: Subscription) => timeKey(column === 'expires_at' ? s.expiresAt! : s.statusChangedAt, s.id);
    return toPage(rows, window, timeCursorCodec, keyOf);
  }

  /** Id-ordered pages of one partial index (its predicate repeated verbatim so the planner matches it). */
  async function partial(db: SqlQueryable, predicate: string, page: PageRequest): Promise<Page<Subscription>> {
    const window = parsePageWindow(page, idCursorCodec);
    const { rows } = await db.query(`SELECT * FROM ${table} WHERE ${predicate} AND id > $1 ORDER BY id LIMIT $2`, [
      window.after ?? '',
      window.limit + 1,
    ]);
    return toPage(rows.map(fromRow), window, idCursorCodec, (s) => s.id);
  }

  return {
    listByCustomer: (customerId: string, page: PageRequest) =>
      runner.run(
        'subscriptions.listByCustomer',
        async ({ db }) => {
          const customer = inputKey(customerId, 'customer id');
          const window = parsePageWindow(page, timeCursorCodec);
          const { rows } = await db.query(
            `SELECT * FROM ${table} WHERE customer_id = $1 AND (created_at, id) < ($2::timestamptz, $3::text) ORDER BY created_at DESC, id DESC LIMIT $4`,
            [customer, ...timeBound(window.after, 'desc'), window.limit + 1],
          );
          return toPage(rows.map(fromRow), window, timeCursorCodec, (s) => timeKey(s.createdAt, s.id));
        },
        read,
      ),

    listByOrder: (orderId: string) =>
      runner.run(
        'subscriptions.listByOrder',
        async ({ db }) => {
          const { rows } = await db.query(`SELECT * FROM ${table} WHERE order_id = $1 ORDER BY created_at, id`, [
            inputKey(orderId, 'order id'),
          ]);
          return rows.map(fromRow);
        },
        read,
      ),

    listByPanel: (panelId: string, filter: { statuses?: readonly SubscriptionStatus[] }, page: PageRequest) =>
      runner.run(
        'subscriptions.listByPanel',
        async ({ db }) => {
          const panel = inputKey(panelId, 'panel id');
          const statuses = parsePanelStatusFilter(filter);
          const window = parsePageWindow(page, idCursorCodec);
          const rows = await perStatus(
            db,
            table,
            statuses,
            {
              where: 'panel_id = $1 AND id > $2',
              order: 'id',
              params: [panel, window.after ?? ''],
              limit: window.limit + 1,
            },
            fromRow,
          );
          return toPage(rows, window, idCursorCodec, (s) => s.id);
        },
        read,
      ),

    listDue: (query: DueQuery, page: PageRequest) =>
      runner.run(
        'subscriptions.listDue',
        async ({ db }) => {
          const due = parseDueQuery(query);
          switch (due.kind) {
            case 'expiring':
              return timeRange(db, 'expires_at', due.statuses, { from: due.from, end: due.to }, page);
            case 'stale_status':
              return timeRange(db, 'status_changed_at', due.statuses, { from: undefined, end: due.before }, page);
            case 'over_limit':
              return partial(db, 'due_over_limit', page);
            case 'first_use':
              return partial(db, 'due_first_use', page);
          }
        },
        read,
      ),
  };
}
