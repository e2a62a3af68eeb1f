import type { FigureCalendarKind } from '../rules/figures/calendar.js';
import type { AcquisitionSourceKind } from '../rules/figures/source.js';
import type { Money } from './money.js';

/**
 * How a kit keeps the owner figures (`createPanelkit({ figures })`); every field has a default. A change of
 * `timeZone` or `calendar` (or of the SDK's `FIGURES_DEFINITIONS_VERSION`) rebuilds the figures from the rows at the
 * scheduler's next figures tick.
 */
export interface FiguresOptions {
  /** The IANA time zone months are cut in. Default `UTC`. */
  timeZone?: string;
  /** The calendar months are counted in. Default `gregorian`. */
  calendar?: FigureCalendarKind;
  /**
   * How often a scheduler tick looks at the figures' inbox and enqueues a `figures.fold` job when it is not empty.
   * Default 5 000 ms: an owner who just sold reads it within seconds, and one `pending()` read per interval is cheap
   * next to the lifecycle tick.
   */
  foldIntervalMs?: number;
  /** How long one `figures.fold` run folds batches before it hands over (enqueuing itself again). Default 5 000 ms. */
  foldBudgetMs?: number;
  /** How many inbox rows one fold transaction takes. Default 500 (at most `MAX_FIGURE_BUYERS_PER_CALL`). */
  foldBatchSize?: number;
}

/**
 * The figures' scope: `*` (the whole shop), `sf:<storefrontId>` (a storefront's own buyers, what its reseller sees)
 * or `src:<kind>` (buyers of one acquisition source kind).
 */
export type FigureScope = '*' | `sf:${string}` | `src:${AcquisitionSourceKind}`;

/** Where the figures stand: settings, backlog, and whether a rebuild is under way (pages show that, not partial numbers). */
export interface FiguresStatus {
  timeZone: string;
  calendar: FigureCalendarKind;
  /** When the rollups last took a fold; `null` before the first one. */
  foldedAt: Date | null;
  /** Inbox rows waiting for a fold (a customer marked twice counts twice). */
  pending: number;
  /** A rebuild is paging customers into the inbox, or its meta is not set yet. */
  rebuilding: boolean;
}

/** What `kit.figures.overview` takes: a scope and the months `from`..`to` (`yyyymm` in the figures' calendar, both included). */
export interface OwnerFiguresQuery {
  scope: FigureScope;
  from: number;
  to: number;
}

/** The most months one overview or churn query covers (ten years). */
export const MAX_FIGURE_QUERY_MONTHS = 120;

/** One age of a cohort: buyers still paying in the cohort's month plus `age`. */
export interface CohortAge {
  age: number;
  /** The month (`yyyymm`) this age falls in. */
  month: number;
  buyers: number;
  /** The month has ended (`false`: the current month, "so far"). */
  final: boolean;
}

/** One cohort (buyers whose first payment fell in `cohort`): its size and who still pays at each age reached so far. */
export interface CohortRow {
  cohort: number;
  size: number;
  /** Ages 0 (the size) to the current month's age (at most `MAX_COHORT_AGE`), ascending; 0 buyers where none paid. */
  ages: CohortAge[];
}

/** A cohort's net sales in one currency, by age: what its buyers spent in each month, and the running total. */
export interface CohortRevenueRow {
  cohort: number;
  currency: string;
  /** Ages 0 to the current month's age (at most `MAX_COHORT_AGE`), ascending; minor units. */
  ages: { age: number; month: number; amount: number; cumulative: number }[];
}

/** The trial → paid counters of one month (trials started then, by what became of them). */
export interface TrialCounters {
  started: number;
  converted30d: number;
  convertedLater: number;
  alreadyPaying: number;
  /** (converted within 30 days + later) ÷ (started − already paying); `null` when nothing to divide by. */
  conversionRate: number | null;
}

/** The monthly counters of a scope. */
export interface MonthFigures {
  month: number;
  firstBuyers: number;
  /** Net sales per currency (refunds taken out in the month they were made), ordered by currency. */
  netSales: Money[];
  renewalsAuto: number;
  renewalsManual: number;
  /** Paid units whose coverage ended in the month without a renewal (provisional while in grace). */
  lapsed: number;
  /** Paid units ended by a full refund in the month. */
  refundedUnits: number;
  /** (auto + manual) ÷ (auto + manual + lapsed); `null` when all are 0. */
  renewalRate: number | null;
  trials: TrialCounters;
  /** The same per trial family (`Plan.family`; `''` for none), ordered by family. */
  trialsByFamily: ({ family: string } & TrialCounters)[];
  trialRefusals: number;
}

/** Lifetime value of one acquisition source kind in one currency, over the query's cohorts. */
export interface SourceLtv {
  source: AcquisitionSourceKind;
  currency: string;
  buyers: number;
  /** Net sales of those buyers since their first payment, minor units. */
  netSales: number;
  /** `netSales ÷ buyers`, rounded down to a minor unit; `null` with no buyers. */
  perBuyer: number | null;
  /**
   * At ages {@link LTV_AGES}: cumulative net sales by that age ÷ buyers of the cohorts whose month at that age has
   * ended (young cohorts left out), rounded down; `perBuyer` `null` when no cohort is that old.
   */
  atAge: { age: number; buyers: number; netSales: number; perBuyer: number | null }[];
}

/** The ages LTV is given at besides "since first payment". */
export const LTV_AGES: readonly number[] = Object.freeze([0, 1, 3, 6, 12]);

/** Gateway cash of one month, provider and currency (minor units): credited − reversed − refunded = net. */
export interface GatewayCash {
  month: number;
  providerId: string;
  currency: string;
  credited: number;
  reversed: number;
  refunded: number;
  net: number;
}

/** What `kit.figures.overview` answers, read from the rollups only. */
export interface OwnerFiguresOverview {
  scope: FigureScope;
  from: number;
  to: number;
  /** Cohorts `from`..`to` that have buyers, ascending. */
  cohorts: CohortRow[];
  /** Revenue of the same cohorts per currency, by cohort then currency. */
  cohortRevenue: CohortRevenueRow[];
  /** Every month `from`..`to`, ascending (zeros where nothing happened). */
  months: MonthFigures[];
  /**
   * LTV per source kind and currency over cohorts `from`..`to`: every kind for scope `*`, the scope's own kind for
   * `src:<kind>`, and `storefront` for `sf:<id>` (that storefront's buyers only).
   */
  ltvBySource: SourceLtv[];
  /** Cash by gateway, months `from`..`to`; `null` for any scope but `*` (gateway money is the whole shop's, not a storefront's). */
  cash: GatewayCash[] | null;
  /** When the rollups last took a fold: the figures are "as of" then. */
  foldedAt: Date | null;
  pending: number;
  /** A rebuild is under way: the numbers are partial, show its progress instead. */
  rebuilding: boolean;
}

/** What churn can be split by. */
export type ChurnDimension = 'plan' | 'location' | 'storefront' | 'source';

/** What `kit.figures.churnBy` takes. */
export interface ChurnQuery {
  /** Ignored for `storefront` and `source`, which read every storefront's or source's own scope (use `*`). */
  scope: FigureScope;
  dimension: ChurnDimension;
  from: number;
  to: number;
}

/**
 * Lapsed paid units of one month and key: a plan id, a location tag (`Panel.locationTags`, read when asked; a unit
 * on panels of two locations counts once in each; `''` for a panel without tags), a storefront id, or a source kind.
 */
export interface ChurnRow {
  month: number;
  key: string;
  lapsed: number;
}

/** What `kit.figures.churnBy` answers. */
export interface ChurnFigures {
  dimension: ChurnDimension;
  from: number;
  to: number;
  /** By month, then key; only non-zero rows. */
  rows: ChurnRow[];
  foldedAt: Date | null;
  pending: number;
  rebuilding: boolean;
}

/** What one `foldNow` (or one `figures.fold` run) did. */
export interface FoldReport {
  /** Fold transactions committed. */
  batches: number;
  /** Customers folded (distinct per batch). */
  buyers: number;
  /** Inbox rows left. */
  pending: number;
}

/**
 * `kit.figures`: the owner figures (cohorts, churn, renewals, trials, LTV by source, cash by gateway) read from the
 * rollups the `figures.fold` job keeps. Reads never scan history and never write: `overview` and `churnBy` answer as
 * of `foldedAt`; a page that must show its own writes calls `foldNow()` first.
 */
export interface PanelkitFigures {
  /** The overview of a scope over months; `ValidationError` for a bad scope, month or range. */
  overview(query: OwnerFiguresQuery): Promise<OwnerFiguresOverview>;
  /** Lapsed units by plan, location, storefront or source; `ValidationError` for bad input. */
  churnBy(query: ChurnQuery): Promise<ChurnFigures>;
  /**
   * Starts a rebuild from the rows: sets the meta (the kit's zone and calendar, a rebuild cursor) and enqueues the
   * `figures.rebuild` job (one pending at a time), which clears the rollups and pages every customer into the inbox;
   * the fold does the rest. Returns the status after starting it.
   */
  rebuild(): Promise<FiguresStatus>;
  /** Settings, backlog and rebuild progress. */
  status(): Promise<FiguresStatus>;
  /**
   * Folds what is in the inbox now, in batches, for at most `budgetMs` (default the kit's `foldBudgetMs`); nothing
   * while the stored meta differs from the kit's settings (a rebuild is started instead). Safe beside the job.
   */
  foldNow(options?: { budgetMs?: number }): Promise<FoldReport>;
}
