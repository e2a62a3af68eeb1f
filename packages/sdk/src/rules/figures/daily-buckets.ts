import type { FigureCell } from './cells.js';
import { FIGURE_BUCKET_MS } from './cells.js';
import type { BuyerRows, FigureSubscription } from './rows.js';
import { isSalesEntry, netSalesOf } from './sales.js';

/** The 15-minute UTC bucket holding `instant` (see `FIGURE_BUCKET_MS`). */
export function figureBucketOf(instant: Date): number {
  return Math.floor(instant.getTime() / FIGURE_BUCKET_MS);
}

/** When a subscription left service (`sales.figures`' definition), or `null` while it is in service. */
function leftServiceAt(sub: FigureSubscription): number | null {
  if (sub.status === 'expired') return sub.statusChangedAt.getTime();
  if (sub.status === 'terminated') return Math.min(sub.statusChangedAt.getTime(), (sub.expiresAt ?? sub.statusChangedAt).getTime());
  return null;
}

/**
 * A customer's part of the daily sales, per 15-minute UTC bucket, under `sales.figures`' definitions word for word:
 * net sales per currency with the count of sales entries (so a currency that nets to 0 is still seen), paid orders (`total.amount > 0`), subscriptions created (trials included), and the change in
 * subscriptions in service (+1 when activated, −1 when it left: expired at its `statusChangedAt`, terminated at the
 * earlier of that and `expiresAt`, never before it was activated). A day's in-service count is the running sum.
 */
export function dailyBucketCells(rows: Pick<BuyerRows, 'ledger' | 'orders' | 'subscriptions'>): FigureCell[] {
  const cells: FigureCell[] = [];
  for (const e of rows.ledger) {
    if (!isSalesEntry(e)) continue;
    const bucket = figureBucketOf(e.createdAt);
    cells.push({ table: 'buckets', bucket, currency: e.currency, metric: 'net_sales', value: netSalesOf(e) });
    cells.push({ table: 'buckets', bucket, currency: e.currency, metric: 'sales_entries', value: 1 });
  }
  for (const o of rows.orders) {
    if (o.total.amount > 0)
      cells.push({ table: 'buckets', bucket: figureBucketOf(o.createdAt), currency: '', metric: 'paid_orders', value: 1 });
  }
  for (const s of rows.subscriptions) {
    cells.push({ table: 'buckets', bucket: figureBucketOf(s.createdAt), currency: '', metric: 'new_subscriptions', value: 1 });
    if (s.activatedAt === null) continue;
    const on = s.activatedAt.getTime();
    cells.push({ table: 'buckets', bucket: Math.floor(on / FIGURE_BUCKET_MS), currency: '', metric: 'in_service_delta', value: 1 });
    const off = leftServiceAt(s);
    if (off !== null)
      cells.push({
        table: 'buckets',
        bucket: Math.floor(Math.max(on, off) / FIGURE_BUCKET_MS),
        currency: '',
        metric: 'in_service_delta',
        value: -1,
      });
  }
  return cells;
}
