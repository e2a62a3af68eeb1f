import type { SqlClient } from '@panelkit/storage-postgres';
import type { Period } from './period.js';

/** The ledger kinds that are sales money: what buyers spent (debits) less what went back to them (refunds, downgrade credits). */
export const REVENUE_KINDS = ['purchase', 'extension', 'traffic_top_up', 'plan_change', 'refund'] as const;

/** The owner's figures over a period, one value per bucket of {@link Period.buckets}. */
export interface SalesFigures {
  /** Net sales per currency, in minor units, per bucket. */
  revenue: { currency: string; values: number[] }[];
  /** Paid orders placed per bucket (free trials are not sales). */
  sales: number[];
  /** Subscriptions in service at the end of each bucket: activated, and not yet expired or terminated. */
  inService: number[];
  /** Sums over the whole period: revenue per currency and paid orders; `inService` is the last bucket's. */
  totals: { revenue: { currency: string; amount: number }[]; sales: number; inService: number };
}

/**
 * Counts the period from the engine's tables (the ledger is the truth about money) in three aggregate statements,
 * whatever the number of buckets: each joins the buckets' `[start, end)` bounds passed as arrays.
 */
export async function salesFigures(db: SqlClient, schema: string, period: Period): Promise<SalesFigures> {
  const s = `"${schema}"`;
  const starts = period.buckets.map((b) => b.start.toISOString());
  const ends = period.buckets.map((b) => b.end.toISOString());
  const buckets = `unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS b(starts_at, ends_at, i)`;
  const [revenue, sales, inService] = await Promise.all([
    db.query<{ i: number; currency: string; total: string }>(
      `SELECT b.i::int AS i, l.currency, (-sum(l.amount))::text AS total
         FROM ${buckets} JOIN ${s}.ledger_entries l ON l.created_at >= b.starts_at AND l.created_at < b.ends_at
        WHERE l.kind = ANY($3::text[])
        GROUP BY b.i, l.currency`,
      [starts, ends, [...REVENUE_KINDS]],
    ),
    db.query<{ i: number; n: number }>(
      `SELECT b.i::int AS i, count(o.id)::int AS n
         FROM ${buckets} JOIN ${s}.orders o ON o.created_at >= b.starts_at AND o.created_at < b.ends_at
        WHERE o.total_amount > 0
        GROUP BY b.i`,
      [starts, ends],
    ),
    // A subscription leaves service when it expires or is terminated; a terminated one that had expired first left
    // at its expiry. Suspended and limited ones are still sold and counted.
    db.query<{ i: number; n: number }>(
      `SELECT b.i::int AS i, count(x.activated_at)::int AS n
         FROM ${buckets} JOIN (
           SELECT activated_at,
                  CASE status
                    WHEN 'expired' THEN status_changed_at
                    WHEN 'terminated' THEN LEAST(status_changed_at, COALESCE(expires_at, status_changed_at))
                  END AS left_at
             FROM ${s}.subscriptions WHERE activated_at IS NOT NULL
         ) x ON x.activated_at < b.ends_at AND (x.left_at IS NULL OR x.left_at >= b.ends_at)
        GROUP BY b.i`,
      [starts, ends],
    ),
  ]);
  const size = period.buckets.length;
  const perBucket = (rows: { i: number; n: number }[]) => {
    const values = new Array<number>(size).fill(0);
    for (const row of rows) values[row.i - 1] = row.n;
    return values;
  };
  const byCurrency = new Map<string, number[]>();
  for (const row of revenue.rows) {
    const values = byCurrency.get(row.currency) ?? new Array<number>(size).fill(0);
    values[row.i - 1] = Number(row.total);
    byCurrency.set(row.currency, values);
  }
  const revenueSeries = [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, values]) => ({ currency, values }));
  const salesSeries = perBucket(sales.rows);
  const inServiceSeries = perBucket(inService.rows);
  return {
    revenue: revenueSeries,
    sales: salesSeries,
    inService: inServiceSeries,
    totals: {
      revenue: revenueSeries.map((r) => ({ currency: r.currency, amount: r.values.reduce((a, v) => a + v, 0) })),
      sales: salesSeries.reduce((a, v) => a + v, 0),
      inService: inServiceSeries[size - 1] ?? 0,
    },
  };
}
