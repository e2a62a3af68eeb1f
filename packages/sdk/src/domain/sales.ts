import { z } from 'zod';
import type { LedgerKind } from './ledger.js';
import type { Money } from './money.js';

/**
 * The ledger kinds that are sales money: what buyers spent on what the shop sells (purchases, extensions
 * and auto-renewals, traffic top-ups, plan changes, device packs), with what went back netted out (refunds of any of
 * them, a downgrade's credit). Wallet top-ups are not here: they are cash in, not sales; the money counts
 * when it is spent. Adjustments (an admin correcting a wallet) and referral rewards (marketing credit,
 * spent later as sales) are not sales either.
 */
export const REVENUE_LEDGER_KINDS: readonly LedgerKind[] = Object.freeze([
  'purchase',
  'extension',
  'traffic_top_up',
  'plan_change',
  'device_pack',
  'refund',
]);

/** A calendar day written `YYYY-MM-DD`. */
export const CalendarDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day written YYYY-MM-DD');

/** The most days one sales figures query covers (two years). */
export const MAX_SALES_DAYS = 731;

/** Validates what `kit.salesFigures` takes: days `from`..`to` (both included) on the wall clock of an IANA time zone. */
export const SalesFiguresQuerySchema = z.object({
  from: CalendarDaySchema,
  to: CalendarDaySchema,
  /** An IANA time zone (`Asia/Tehran`, `UTC`): where a day starts and ends. */
  timeZone: z.string().min(1).max(100),
});
/** Input of `kit.salesFigures`. */
export type SalesFiguresQuery = z.input<typeof SalesFiguresQuerySchema>;

/** One day of the period as instants: `[start, end)` is the day on the time zone's wall clock. */
export interface SalesDayBounds {
  /** `YYYY-MM-DD` on the wall clock. */
  day: string;
  start: Date;
  end: Date;
}

/** What `sales.figures` takes: consecutive days, oldest first, each `[start, end)` (at most {@link MAX_SALES_DAYS}). */
export interface SalesFiguresRange {
  days: readonly SalesDayBounds[];
}

/** The figures of one day. */
export interface SalesDay {
  /** `YYYY-MM-DD` on the query's wall clock. */
  day: string;
  /**
   * Net sales per currency (see {@link REVENUE_LEDGER_KINDS}): what was spent that day less what was
   * refunded that day, in integer minor units; a currency appears once it has any entry in the period
   * (0 on days without one). Ordered by currency.
   */
  revenue: Money[];
  /** Paid orders placed that day (free trials and free orders are not sales). */
  orders: number;
  /** Subscriptions created that day (trials included). */
  newSubscriptions: number;
  /**
   * Subscriptions in service at the day's end: activated, and not expired or terminated by then
   * (suspended and limited ones are still sold and count).
   */
  inService: number;
}

/** The owner's figures over a period: one entry a day, and the totals. */
export interface SalesFigures {
  days: SalesDay[];
  totals: {
    /** Net sales per currency over the period, ordered by currency. */
    revenue: Money[];
    orders: number;
    newSubscriptions: number;
    /** In service at the end of the last day. */
    inService: number;
  };
}

/** Totals of per-day figures (revenue and counts summed, `inService` the last day's). */
export function totalsOf(days: readonly SalesDay[]): SalesFigures['totals'] {
  const revenue = new Map<string, number>();
  for (const d of days) for (const m of d.revenue) revenue.set(m.currency, (revenue.get(m.currency) ?? 0) + m.amount);
  return {
    revenue: [...revenue.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, amount]) => ({ currency, amount })),
    orders: days.reduce((n, d) => n + d.orders, 0),
    newSubscriptions: days.reduce((n, d) => n + d.newSubscriptions, 0),
    inService: days[days.length - 1]?.inService ?? 0,
  };
}
