import type { FigureCalendarKind } from '../rules/figures/calendar.js';
import type { FigureCell, FigureMonthMetric } from '../rules/figures/cells.js';
import type { BuyerRows } from '../rules/figures/rows.js';

/** The most customer ids one `figures` call takes or returns (`ValidationError` beyond). */
export const MAX_FIGURE_BUYERS_PER_CALL = 1000;

/** The most spans one `figures.bucketSums` call takes (`ValidationError` beyond): a sales figures read's days. */
export const MAX_FIGURE_BUCKET_SPANS = 1000;

/** Buckets `[first, end)`: one day of a sales figures read in a zone, as whole 15-minute buckets. */
export interface FigureBucketSpan {
  first: number;
  end: number;
}

/**
 * What one customer added to the rollups when last folded: the cells of their `buyerContribution`, so the next fold
 * adds only the difference. A customer never folded reads `cells: []` and `definitionsVersion: 0`.
 */
export interface FoldedBuyer {
  customerId: string;
  /** The `FIGURES_DEFINITIONS_VERSION` the cells were computed under (0: never folded). */
  definitionsVersion: number;
  cells: FigureCell[];
}

/**
 * The figures' settings and progress, one row a storage: the months' zone and calendar (a change of either, or of
 * the definitions' version, means a rebuild), when the rollups last took a fold, and a running rebuild's cursor.
 */
export interface FigureMeta {
  timeZone: string;
  calendar: FigureCalendarKind;
  definitionsVersion: number;
  /** When the last fold committed; `null` before the first one. */
  foldedAt: Date | null;
  /** A rebuild under way: the last customer id it put in the inbox (`''` before the first page); `null` when none. */
  rebuildCursor: string | null;
}

/**
 * One rollup table's cells over a range, both ends included. Months and cohorts are `yyyymm`; buckets are 15-minute
 * bucket numbers (`figureBucketOf`); days are `yyyymmdd` in the figures' zone (`figureDayOfBucket`, storage port 34).
 * `scope` is `*`, `sf:<storefrontId>` or `src:<kind>`; `cash`, `buckets` and `days` have none (whole shop).
 */
export type FigureCellQuery =
  | { table: 'cohorts'; scope: string; fromCohort: number; toCohort: number }
  | { table: 'cohort_revenue'; scope: string; fromCohort: number; toCohort: number }
  | { table: 'months'; scope: string; fromMonth: number; toMonth: number; metrics?: readonly FigureMonthMetric[] }
  | { table: 'lapses'; scope: string; fromMonth: number; toMonth: number }
  | { table: 'cash'; fromMonth: number; toMonth: number }
  | { table: 'buckets'; fromBucket: number; toBucket: number }
  | { table: 'days'; fromDay: number; toDay: number };

/**
 * The owner figures' read models (storage port 29, issue 94; design `docs/design/owner-figures-and-guard.md` §3):
 * an inbox of customers whose figures may have changed, each customer's last folded contribution, and the rollups
 * (additive cells, see `FigureCell`) the pages read. The fold (`figures.fold` in the engine) takes customers from the
 * inbox, locks their folded state, recomputes their contribution from `sources` and applies the difference, all in
 * one transaction, so folding is idempotent and the inbox needs only at-least-once delivery.
 *
 * **Marks.** Every write that changes an input of a customer's figures puts the customer in the inbox in the same
 * transaction, by itself (a database storage with triggers inside the write's own statement, so a checkout gains no
 * statement): ledger appends, orders placed or settled, subscriptions created or updated in a figure field (`status`,
 * `expiresAt`, `activatedAt`, `planId`, `panelId`, `trial`; a usage-only update marks nothing), payments transitioned,
 * campaign attributions, referrals (the referred customer), gifts claimed or expired (claimer and giver), a customer's
 * `storefrontId` changed, and a `trial.refused` audit event (subject type `trial_refusal`, whose subject id is the customer).
 *
 * Bad input (a malformed cell or query, more than {@link MAX_FIGURE_BUYERS_PER_CALL} ids, a limit below 1) is a
 * `ValidationError` and writes nothing.
 */
export interface FigureRepository {
  /** Puts customers in the inbox (a rebuild's pages, an import); duplicates are harmless. Unknown ids: `NotFoundError`. */
  mark(customerIds: readonly string[]): Promise<void>;
  /**
   * Removes up to `limit` inbox rows, oldest first, and returns their customer ids, distinct, in id order. Concurrent
   * callers on a database storage get disjoint rows (a row another open transaction took is skipped, not waited for);
   * rows taken by a transaction that rolls back are back in the inbox.
   */
  take(limit: number): Promise<string[]>;
  /** How many inbox rows wait (a customer marked twice counts twice): the fold's backlog. */
  pending(): Promise<number>;
  /**
   * Locks each customer's folded state until the transaction ends (a second transaction locking one of them waits),
   * in id order, and returns it, one per id in id order (`cells: []`, version 0 for one never folded). Never called
   * by a business transaction, so a checkout never waits on a fold. Unknown ids: `NotFoundError`. On a database
   * storage it first locks the meta until the transaction ends: folds run their writes one at a time, `clear` and
   * `setMeta` wait for them, and a `meta()` read after it is current until commit.
   */
  lockBuyers(customerIds: readonly string[]): Promise<FoldedBuyer[]>;
  /** Everything each customer's figures are computed from (`BuyerRows`), read together; one per id, in id order. */
  sources(customerIds: readonly string[]): Promise<BuyerRows[]>;
  /** Adds each cell's signed `value` to its rollup row (cells of one key add up; a row back at 0 may be dropped). */
  apply(cells: readonly FigureCell[]): Promise<void>;
  /** Stores each customer's folded contribution, replacing the previous one. */
  putBuyers(buyers: readonly FoldedBuyer[]): Promise<void>;
  /** The non-zero cells of one rollup table in a range, ordered by their key (`figureCellKey`). */
  cells(query: FigureCellQuery): Promise<FigureCell[]>;
  /**
   * The sums of every bucket before `beforeBucket`, per metric and currency, as cells of bucket `beforeBucket - 1`
   * (sums of 0 left out, ordered by key): the running in-service count's start, read in one aggregate. Its cost does
   * not grow with the shop's age: `apply` also keeps each checkpoint's sums (`figureBucketCheckpointCells`,
   * `FIGURE_BUCKET_CHECKPOINT_BUCKETS` buckets each), so this adds one row per checkpoint before the one holding
   * `beforeBucket` and that checkpoint's buckets before `beforeBucket`; `clear` empties the checkpoints too.
   */
  bucketTotals(beforeBucket: number): Promise<FigureCell[]>;
  /**
   * Each span's buckets summed per metric and currency, as cells of bucket `span.first` (storage port 32): a sales
   * figures read's days in one aggregate, without bringing each bucket to the caller. Spans ascending and not
   * overlapping (`first < end`, each `first` at or after the previous `end`), at most
   * {@link MAX_FIGURE_BUCKET_SPANS}; sums of 0 are left out; ordered by key (`figureCellKey`).
   */
  bucketSums(spans: readonly FigureBucketSpan[]): Promise<FigureCell[]>;
  /** The figures' settings and progress, or `null` before they were first set. */
  meta(): Promise<FigureMeta | null>;
  /** Replaces the settings and progress. */
  setMeta(meta: FigureMeta): Promise<void>;
  /**
   * Empties every rollup and every folded contribution (a rebuild's start); the inbox and the meta stay. Never
   * interleaves with a fold's transaction (`foldNow` is not a job, so the jobs' serial key does not keep it apart): on
   * a database storage it locks the meta first, so it waits for a fold that holds it (`lockBuyers`) to commit and
   * then deletes what that fold wrote; a fold that reaches `lockBuyers` later waits for the clear's commit and finds
   * its buyers' folded state empty.
   */
  clear(): Promise<void>;
  /**
   * A rebuild's page: marks up to `limit` customers whose id sorts after `after` (`''` from the start), in id order,
   * and returns the last id marked, or `null` when there was none left.
   */
  markAll(after: string, limit: number): Promise<string | null>;
}
