import { REVENUE_LEDGER_KINDS } from '@panelkit/sdk';
import { parseSalesRange } from '@panelkit/sdk/storage';
import type { SalesDay, SalesFiguresRange } from '@panelkit/sdk';
import type { CampaignFigures } from '@panelkit/sdk/campaigns';
import type { SalesRepository } from '@panelkit/sdk/storage';
import type { RepositoryContext } from '../internal/runner.js';
import { dec } from '../internal/sql.js';

/**
 * The sales read model in four aggregate statements, whatever the number of days: each row is put in its day
 * with `width_bucket(created_at, <the days' starts>)` (a binary search), so the ledger, orders and new
 * subscriptions cost one index range scan of the period (migration 10 adds the ledger's and the subscriptions'
 * `created_at` indexes). In service is a running sum: each activated subscription is +1 on the day it started
 * and -1 on the day it left (the later of its start and its end), counted once over the table.
 */
export function salesRepository({ runner, schema }: RepositoryContext): SalesRepository {
  const read = { read: true } as const;
  return {
    figures: (range: SalesFiguresRange) =>
      runner.run(
        'sales.figures',
        async ({ db }): Promise<SalesDay[]> => {
          const days = parseSalesRange(range);
          const starts = days.map((d) => d.start.toISOString());
          const from = starts[0]!;
          const to = days[days.length - 1]!.end.toISOString();
          const day = (column: string) => `width_bucket(${column}, $1::timestamptz[])`;
          // One statement after another: a transaction's connection runs one query at a time.
          const revenue = await db.query(
            `SELECT ${day('created_at')} AS i, currency, (-sum(amount))::text AS total FROM ${schema}.ledger_entries
              WHERE created_at >= $2::timestamptz AND created_at < $3::timestamptz AND kind = ANY($4::text[])
              GROUP BY 1, 2`,
            [starts, from, to, [...REVENUE_LEDGER_KINDS]],
          );
          const orders = await db.query(
            `SELECT ${day('created_at')} AS i, count(*)::int AS n FROM ${schema}.orders
              WHERE created_at >= $2::timestamptz AND created_at < $3::timestamptz AND total_amount > 0 GROUP BY 1`,
            [starts, from, to],
          );
          const created = await db.query(
            `SELECT ${day('created_at')} AS i, count(*)::int AS n FROM ${schema}.subscriptions
              WHERE created_at >= $2::timestamptz AND created_at < $3::timestamptz GROUP BY 1`,
            [starts, from, to],
          );
          // A subscription leaves service when it expires or is terminated; a terminated one that had expired
          // first left at its expiry. Day 0 holds what happened before the period.
          const moves = await db.query(
            `WITH x AS (
               SELECT activated_at AS on_at,
                      CASE status
                        WHEN 'expired' THEN status_changed_at
                        WHEN 'terminated' THEN LEAST(status_changed_at, COALESCE(expires_at, status_changed_at))
                      END AS off_at
                 FROM ${schema}.subscriptions WHERE activated_at IS NOT NULL AND activated_at < $2::timestamptz
             ), moves AS (
               SELECT on_at AS at, 1 AS d FROM x
               UNION ALL SELECT GREATEST(on_at, off_at), -1 FROM x WHERE off_at IS NOT NULL AND GREATEST(on_at, off_at) < $2::timestamptz
             )
             SELECT ${day('at')} AS i, sum(d)::int AS n FROM moves GROUP BY 1`,
            [starts, to],
          );
          const size = days.length;
          const perDay = (rows: readonly Record<string, unknown>[]) => {
            const values = new Array<number>(size).fill(0);
            for (const row of rows) values[dec.int(row['i']) - 1] = dec.int(row['n']);
            return values;
          };
          const byCurrency = new Map<string, number[]>();
          for (const row of revenue.rows) {
            const currency = dec.text(row['currency']);
            const values = byCurrency.get(currency) ?? new Array<number>(size).fill(0);
            values[dec.int(row['i']) - 1] = dec.int(row['total']);
            byCurrency.set(currency, values);
          }
          const currencies = [...byCurrency.keys()].sort();
          const paid = perDay(orders.rows);
          const made = perDay(created.rows);
          const change = new Array<number>(size + 1).fill(0);
          for (const row of moves.rows) change[dec.int(row['i'])] = dec.int(row['n']);
          let live = change[0]!;
          return days.map((d, i) => {
            live += change[i + 1]!;
            return {
              day: d.day,
              revenue: currencies.map((currency) => ({ currency, amount: byCurrency.get(currency)![i]! })),
              orders: paid[i]!,
              newSubscriptions: made[i]!,
              inService: live,
            };
          });
        },
        read,
      ),

    campaigns: (range: SalesFiguresRange) =>
      runner.run(
        'sales.campaigns',
        async ({ db }): Promise<CampaignFigures[]> => {
          const days = parseSalesRange(range);
          const from = days[0]!.start.toISOString();
          const to = days[days.length - 1]!.end.toISOString();
          // Every campaign with an attribution gets a row; its customers' first paid order and revenue entries are
          // joined through the attribution table (orders and entries read by customer, through their indexes).
          const counts = await db.query(
            `SELECT a.campaign,
                    count(*) FILTER (WHERE a.attributed_at >= $1::timestamptz AND a.attributed_at < $2::timestamptz)::int AS sign_ups,
                    count(f.first_at) FILTER (WHERE f.first_at >= $1::timestamptz AND f.first_at < $2::timestamptz)::int AS first_purchases
               FROM ${schema}.campaign_attributions a
               LEFT JOIN LATERAL (
                 SELECT min(o.created_at) AS first_at FROM ${schema}.orders o WHERE o.customer_id = a.customer_id AND o.total_amount > 0
               ) f ON true
              GROUP BY a.campaign ORDER BY a.campaign`,
            [from, to],
          );
          const revenue = await db.query(
            `SELECT a.campaign, e.currency, (-sum(e.amount))::text AS total
               FROM ${schema}.campaign_attributions a
               JOIN ${schema}.ledger_entries e ON e.customer_id = a.customer_id
              WHERE e.created_at >= $1::timestamptz AND e.created_at < $2::timestamptz AND e.kind = ANY($3::text[])
              GROUP BY 1, 2 ORDER BY 1, 2`,
            [from, to, [...REVENUE_LEDGER_KINDS]],
          );
          const money = new Map<string, { currency: string; amount: number }[]>();
          for (const row of revenue.rows) {
            const campaign = dec.text(row['campaign']);
            const list = money.get(campaign) ?? [];
            list.push({ currency: dec.text(row['currency']), amount: dec.int(row['total']) });
            money.set(campaign, list);
          }
          return counts.rows.map((row) => {
            const campaign = dec.text(row['campaign']);
            return {
              campaign,
              signUps: dec.int(row['sign_ups']),
              firstPurchases: dec.int(row['first_purchases']),
              revenue: money.get(campaign) ?? [],
            };
          });
        },
        read,
      ),
  };
}
