import type { Panelkit } from '@panelkit/sdk';
import type { CalendarDate } from '../../i18n/jalali.js';
import type { Period } from './period.js';

/** The owner's figures over a period, one value per bucket of {@link Period.buckets}. */
export interface SalesFigures {
  /** Net sales per currency, in minor units, per bucket (the SDK's definition: `REVENUE_LEDGER_KINDS`). */
  revenue: { currency: string; values: number[] }[];
  /** Paid orders placed per bucket (free trials are not sales). */
  sales: number[];
  /** Subscriptions in service at the end of each bucket: activated, and not yet expired or terminated. */
  inService: number[];
  /** Sums over the whole period: revenue per currency and paid orders; `inService` is the last bucket's. */
  totals: { revenue: { currency: string; amount: number }[]; sales: number; inService: number };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A wall-clock day as the SDK names it (`YYYY-MM-DD`). */
export const isoDay = (d: CalendarDate) => `${d.year}-${pad(d.month)}-${pad(d.day)}`;

/**
 * The period's figures from the SDK's sales read model (`kit.salesFigures`, days in the shop's zone),
 * grouped into the period's buckets (a day, or a week: revenue and orders summed, in service the last day's).
 * The shop computes no figure of its own.
 */
export async function salesFigures(kit: Panelkit, period: Period, timeZone: string): Promise<SalesFigures> {
  const read = await kit.salesFigures({ from: isoDay(period.from), to: isoDay(period.to), timeZone });
  const size = period.buckets.length;
  const bucketOf = (i: number) => Math.floor(i / period.bucketDays);
  const revenue = read.totals.revenue.map(({ currency }) => ({ currency, values: new Array<number>(size).fill(0) }));
  const sales = new Array<number>(size).fill(0);
  const inService = new Array<number>(size).fill(0);
  read.days.forEach((day, i) => {
    const b = bucketOf(i);
    for (const m of day.revenue) revenue.find((r) => r.currency === m.currency)!.values[b]! += m.amount;
    sales[b]! += day.orders;
    inService[b] = day.inService;
  });
  return {
    revenue,
    sales,
    inService,
    totals: { revenue: read.totals.revenue, sales: read.totals.orders, inService: read.totals.inService },
  };
}
