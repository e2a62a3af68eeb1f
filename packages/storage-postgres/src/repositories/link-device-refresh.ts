import { inputKey, parseLinkDeviceRefresh, timeCursorCodec, timeKey } from '@panelkit/sdk/storage';
import type { Device, Subscription } from '@panelkit/sdk';
import type { LinkDeviceRefreshRequest, LinkTokenScopeWithDevice } from '@panelkit/sdk/storage';
import { toPage } from '../internal/paging.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import { described, refreshWhereDue } from './devices.js';
import { subscriptionFromRow, subscriptionSelectList } from './subscription-rows.js';

/**
 * The refreshed device's own columns beside the subscription's: as written where `written` has its row (only its
 * `last_seen_at` changes), else as read. Its description is the one asked, whether written (the `UPDATE` sets it) or
 * answered as stored (spared only when described as asked), and its subscription and hardware id are the row's and
 * the request's: only these three differ.
 */
const DEVICE_COLUMNS = 'k.id AS dv_id, k.first_seen_at AS dv_first_seen_at, COALESCE(w.last_seen_at, k.last_seen_at) AS dv_last_seen_at';

/** The columns of `known` the refresh reads (`refreshWhereDue`: the id, the description, when last seen) and answers. */
const KNOWN_COLUMNS =
  'd.id, d.subscription_id, d.platform, d.os_version, d.model, d.app, d.app_version, d.user_agent, d.first_seen_at, d.last_seen_at';

/**
 * `linkTokens.scopeRefreshingDevice` in one statement: the token's row, the customer's newest subscriptions (as
 * `scopeWithSubscriptions` reads them), the device with the hardware id on those the token serves in `statuses`
 * (`known`), written where due (`written`: `refreshWhereDue`, as `devices.refresh` with `seenAfter`), and a row per
 * subscription carrying its device as written or as read (`dv_*`, `NULL` where it knew none). No lock: a known
 * device's refresh never counts against a limit. The device joins the page by `known` (one row a subscription: the
 * hardware id is unique on it) and takes its written time from `written` by id, each a plain left join: no union of
 * the written and the unwritten rows, and nothing of a device read or returned that the answer does not carry
 * (PostgreSQL's CPU a refresh, `bench/sublink/refresh-statement.ts`).
 */
export function scopeRefreshingDevice({ runner, schema, secretBox }: RepositoryContext) {
  const tokens = `${schema}.link_tokens`;
  const subTokens = `${schema}.subscription_link_tokens`;
  const subscriptions = `${schema}.subscriptions`;
  const devices = `${schema}.devices`;
  const text = `WITH scope AS (
       SELECT customer_id, NULL::text AS subscription_id FROM ${tokens} WHERE token_hash = $1
       UNION ALL SELECT customer_id, subscription_id FROM ${subTokens} WHERE token_hash = $1 LIMIT 1
     ),
     page AS (
       SELECT s.* FROM scope CROSS JOIN LATERAL (
         SELECT * FROM ${subscriptions} WHERE customer_id = scope.customer_id ORDER BY created_at DESC, id DESC LIMIT $2
       ) AS s
     ),
     known AS (
       SELECT ${KNOWN_COLUMNS} FROM scope
       JOIN page p ON p.status = ANY($3::text[]) AND (scope.subscription_id IS NULL OR p.id = scope.subscription_id)
       JOIN ${devices} d ON d.subscription_id = p.id AND d.hwid = $4
     ),
     written AS (${refreshWhereDue(devices, 5, 'd.id, d.last_seen_at')})
     SELECT scope.customer_id AS link_customer_id, scope.subscription_id AS link_subscription_id, ${subscriptionSelectList('p')}, ${DEVICE_COLUMNS}
     FROM scope LEFT JOIN page p ON true LEFT JOIN known k ON k.subscription_id = p.id LEFT JOIN written w ON w.id = k.id
     ORDER BY p.created_at DESC, p.id DESC`;

  return (tokenHash: string, request: LinkDeviceRefreshRequest) =>
    runner.run(
      'linkTokens.scopeRefreshingDevice',
      async ({ db, now }): Promise<LinkTokenScopeWithDevice | null> => {
        const hash = inputKey(tokenHash, 'token hash');
        const r = parseLinkDeviceRefresh(request);
        const { rows } = await db.query(text, [
          hash,
          r.limit + 1,
          r.statuses,
          r.device.hwid,
          ...described(r.device),
          enc.time(now),
          enc.time(r.seenAfter),
        ]);
        const first = rows[0];
        if (first === undefined) return null;
        const items: Subscription[] = [];
        const refreshed: Device[] = [];
        if (first['id'] !== null) {
          for (const row of rows) {
            items.push(subscriptionFromRow(row, secretBox));
            if (row['dv_id'] !== null)
              refreshed.push({
                ...r.device,
                id: dec.text(row['dv_id']),
                subscriptionId: dec.text(row['id']),
                firstSeenAt: dec.time(row['dv_first_seen_at']),
                lastSeenAt: dec.time(row['dv_last_seen_at']),
              });
          }
        }
        return {
          customerId: dec.text(first['link_customer_id']),
          subscriptionId: dec.textOrNull(first['link_subscription_id']),
          subscriptions: toPage(items, { limit: r.limit, after: undefined }, timeCursorCodec, (s) => timeKey(s.createdAt, s.id)),
          refreshed,
        };
      },
      { autocommit: true, optimistic: true },
    );
}
