import { REVENUE_LEDGER_KINDS } from '@panelkit/sdk';
import { parseSalesRange } from '@panelkit/sdk/storage-kit';
import type { SalesDay, SalesFiguresRange, SalesRepository } from '@panelkit/sdk';
import type { RepositoryContext } from '../internal/runner.js';
import { dec } from '../internal/sql.js';

/**
 * The sales read model in three aggregate statements, whatever the number of days: each joins the days'
 * `[start, end)` bounds passed as arrays. The ledger and order scans are served by their `created_at`
 * indexes (migration 10 adds the ledger's); in service is one pass over the activated subscriptions.
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
          const ends = days.map((d) => d.end.toISOString());
          const from = starts[0]!;
          const to = ends[ends.length - 1]!;
          const bounds = `unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS b(starts_at, ends_at, i)`;
          // One statement after another: a transaction's connection runs one query at a time.
          const revenue = await db.query(
            `SELECT b.i::int AS i, l.currency, (-sum(l.amount))::text AS total
               FROM ${bounds} JOIN ${schema}.ledger_entries l ON l.created_at >= b.starts_at AND l.created_at < b.ends_at
              WHERE l.kind = ANY($3::text[]) AND l.created_at >= $4::timestamptz AND l.created_at < $5::timestamptz
              GROUP BY b.i, l.currency`,
            [starts, ends, [...REVENUE_LEDGER_KINDS], from, to],
          );
          const counts = await db.query(
            `SELECT b.i::int AS i,
                    (SELECT count(*) FROM ${schema}.orders o
                      WHERE o.created_at >= b.starts_at AND o.created_at < b.ends_at AND o.total_amount > 0)::int AS orders,
                    (SELECT count(*) FROM ${schema}.subscriptions s
                      WHERE s.created_at >= b.starts_at AND s.created_at < b.ends_at)::int AS created
               FROM ${bounds}`,
            [starts, ends],
          );
          // A subscription leaves service when it expires or is terminated; a terminated one that had
          // expired first left at its expiry.
          const inService = await db.query(
            `SELECT b.i::int AS i, count(x.activated_at)::int AS n
               FROM ${bounds} JOIN (
                 SELECT activated_at,
                        CASE status
                          WHEN 'expired' THEN status_changed_at
                          WHEN 'terminated' THEN LEAST(status_changed_at, COALESCE(expires_at, status_changed_at))
                        END AS left_at
                   FROM ${schema}.subscriptions WHERE activated_at IS NOT NULL AND activated_at < $3::timestamptz
               ) x ON x.activated_at < b.ends_at AND (x.left_at IS NULL OR x.left_at >= b.ends_at)
              GROUP BY b.i`,
            [starts, ends, to],
          );
          const size = days.length;
          const byCurrency = new Map<string, number[]>();
          for (const row of revenue.rows) {
            const currency = dec.text(row['currency']);
            const values = byCurrency.get(currency) ?? new Array<number>(size).fill(0);
            values[dec.int(row['i']) - 1] = dec.int(row['total']);
            byCurrency.set(currency, values);
          }
          const currencies = [...byCurrency.keys()].sort();
          const orders = new Array<number>(size).fill(0);
          const created = new Array<number>(size).fill(0);
          for (const row of counts.rows) {
            orders[dec.int(row['i']) - 1] = dec.int(row['orders']);
            created[dec.int(row['i']) - 1] = dec.int(row['created']);
          }
          const live = new Array<number>(size).fill(0);
          for (const row of inService.rows) live[dec.int(row['i']) - 1] = dec.int(row['n']);
          return days.map((d, i) => ({
            day: d.day,
            revenue: currencies.map((currency) => ({ currency, amount: byCurrency.get(currency)![i]! })),
            orders: orders[i]!,
            newSubscriptions: created[i]!,
            inService: live[i]!,
          }));
        },
        read,
      ),
  };
}
