/** The counters of `figure_months`, one row per (scope, month, metric, key, currency). */
export const FIGURE_MONTH_METRICS = [
  'first_buyers',
  'trials_started',
  'trials_converted_30d',
  'trials_converted_later',
  'trials_already_paying',
  'trial_refusals',
  'renewals_auto',
  'renewals_manual',
  'lapsed',
  'refunded_units',
  'net_sales',
] as const;
/** One of {@link FIGURE_MONTH_METRICS}. */
export type FigureMonthMetric = (typeof FIGURE_MONTH_METRICS)[number];

/** The amounts `figure_cash` keeps per month, gateway and currency: credited payments, reversals, provider refunds. */
export type FigureCashFlow = 'credited' | 'reversed' | 'refunded';

/**
 * The counters of a 15-minute UTC bucket of daily sales (`sales.figures`' definitions). `sales_entries` counts the
 * sales entries per currency: it never cancels, so a currency whose entries net to 0 (a purchase and its refund in one
 * bucket) still appears in a period's revenue, as `sales.figures` lists it.
 */
export type FigureBucketMetric = 'net_sales' | 'sales_entries' | 'paid_orders' | 'new_subscriptions' | 'in_service_delta';

/** Length of a daily-sales bucket: 15 minutes divides every IANA offset, so any zone's days are whole buckets. */
export const FIGURE_BUCKET_MS = 900_000;

/**
 * One additive value of an owner figure's rollup: a table, the key within it, and a signed `value` (a count, or minor
 * units of `currency`). Months are `yyyymm` in the figures' calendar; counts carry `currency` `''`. A customer's
 * contribution is a list of these; the figures are their sums over all customers.
 *
 * - `cohorts`: buyers of `cohort` still paying at `age` months (age 0 is the cohort's size).
 * - `cohort_revenue`: net sales of `cohort`'s buyers made in `month`.
 * - `months`: a counter per month; `key` is a trial family for the trial metrics, the campaign's slug for the
 *   others under scope `src:campaign`, and `''` otherwise.
 * - `lapses`: units that lapsed in `month` on `planId` and `panelId` (a unit on two panels counts once on each).
 * - `cash`: gateway money per `providerId` (whole shop only, no scope).
 * - `buckets`: daily sales per 15-minute UTC bucket (`bucket` = epoch ms ÷ {@link FIGURE_BUCKET_MS}; whole shop only).
 * - `days`: the same sums per whole day of the figures' time zone (`day` = `yyyymmdd`, Gregorian; whole shop only),
 *   each the sum of the buckets that start in it (`figureDayCells`).
 */
export type FigureCell =
  | { table: 'cohorts'; scope: string; cohort: number; age: number; value: number }
  | { table: 'cohort_revenue'; scope: string; cohort: number; month: number; currency: string; value: number }
  | { table: 'months'; scope: string; month: number; metric: FigureMonthMetric; key: string; currency: string; value: number }
  | { table: 'lapses'; scope: string; month: number; planId: string; panelId: string; value: number }
  | { table: 'cash'; month: number; providerId: string; currency: string; flow: FigureCashFlow; value: number }
  | { table: 'buckets'; bucket: number; currency: string; metric: FigureBucketMetric; value: number }
  | { table: 'days'; day: number; currency: string; metric: FigureBucketMetric; value: number };

/** A cell's identity: two cells with one key add up. Key fields are joined with a separator ids and slugs cannot hold. */
export function figureCellKey(cell: FigureCell): string {
  // Template literals, not `[…].join`: a fold builds several keys per cell of every customer.
  switch (cell.table) {
    case 'cohorts':
      return `cohorts\u0000${cell.scope}\u0000${cell.cohort}\u0000${cell.age}`;
    case 'cohort_revenue':
      return `cohort_revenue\u0000${cell.scope}\u0000${cell.cohort}\u0000${cell.month}\u0000${cell.currency}`;
    case 'months':
      return `months\u0000${cell.scope}\u0000${cell.month}\u0000${cell.metric}\u0000${cell.key}\u0000${cell.currency}`;
    case 'lapses':
      return `lapses\u0000${cell.scope}\u0000${cell.month}\u0000${cell.planId}\u0000${cell.panelId}`;
    case 'cash':
      return `cash\u0000${cell.month}\u0000${cell.providerId}\u0000${cell.currency}\u0000${cell.flow}`;
    case 'buckets':
      return `buckets\u0000${cell.bucket}\u0000${cell.currency}\u0000${cell.metric}`;
    case 'days':
      return `days\u0000${cell.day}\u0000${cell.currency}\u0000${cell.metric}`;
  }
}

/** Adds `cells` (times `sign`) into `into`, by key; a cell whose sum returns to 0 is removed. */
export function addFigureCells(into: Map<string, FigureCell>, cells: readonly FigureCell[], sign: 1 | -1 = 1): Map<string, FigureCell> {
  for (const cell of cells) {
    const key = figureCellKey(cell);
    const value = (into.get(key)?.value ?? 0) + sign * cell.value;
    if (value === 0) into.delete(key);
    else into.set(key, { ...cell, value });
  }
  return into;
}

/**
 * What to add to the rollups when a customer's contribution goes from `before` to `after`: the non-zero
 * differences, sorted by key (the order a storage locks rollup rows in). Applying it twice is the caller's mistake;
 * recomputing `after` from the same rows gives an empty diff.
 */
export function diffFigureCells(before: readonly FigureCell[], after: readonly FigureCell[]): FigureCell[] {
  const sum = addFigureCells(addFigureCells(new Map(), after), before, -1);
  return [...sum].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
}
