import { ValidationError } from '../../errors.js';
import { assertFiguresCalendar, figureMonthOf, figureMonthsBetween, type FiguresCalendar } from './calendar.js';
import { cashCells } from './cash.js';
import { addFigureCells, type FigureCell, type FigureMonthMetric } from './cells.js';
import { type Interval, type PaidUnit, paidUnitsOf, unionOfIntervals, unitEnding } from './coverage.js';
import { dailyBucketCells } from './daily-buckets.js';
import { figureDayCells } from './daily-days.js';
import type { BuyerRows, FigureLedgerEntry } from './rows.js';
import { firstPaidInstant, isSalesEntry, netSalesOf } from './sales.js';
import { type AcquisitionSource, acquisitionSource } from './source.js';
import { type TrialConversion, trialConversionOf } from './trial-conversion.js';
import { FIGURES_DEFINITIONS_VERSION } from './version.js';

/** The oldest age "still paying" is counted at, in months after the cohort's month. */
export const MAX_COHORT_AGE = 36;

/** What one customer adds to every owner figure, computed from their rows alone: see {@link buyerContribution}. */
export interface BuyerContribution {
  customerId: string;
  /** The {@link FIGURES_DEFINITIONS_VERSION} it was computed under. */
  definitionsVersion: number;
  /** The first paid instant; `null` for a customer who is not a buyer. */
  firstPaidAt: Date | null;
  /** The month of `firstPaidAt` (`yyyymm` in the figures' calendar); `null` for a non-buyer. */
  cohort: number | null;
  source: AcquisitionSource;
  /** The scopes its cells are counted under: `*`, `sf:<storefrontId>` for a storefront's buyer, `src:<kind>`. */
  scopes: string[];
  /** The ages (0…{@link MAX_COHORT_AGE}) at which a buyer counts as still paying, ascending; empty for a non-buyer. */
  payingAges: number[];
  /** The first trial and what became of it, or `null`. */
  trial: TrialConversion | null;
  /** Every rollup value it adds, one per key, sorted by key; see `FigureCell`. */
  cells: FigureCell[];
}

function assertOwnRows(rows: BuyerRows): void {
  const id = rows.customer?.id;
  const issues: { path: string; message: string }[] = [];
  if (typeof id !== 'string' || id.length === 0) issues.push({ path: 'customer.id', message: 'required' });
  const lists = { ledger: rows.ledger, subscriptions: rows.subscriptions, orders: rows.orders, payments: rows.payments } as const;
  for (const [name, list] of Object.entries(lists)) {
    list.forEach((row, i) => {
      if (row.customerId !== id) issues.push({ path: `${name}.${i}.customerId`, message: `belongs to another customer than ${id}` });
    });
  }
  for (const [i, e] of rows.ledger.entries())
    if (!(e.createdAt instanceof Date) || Number.isNaN(e.createdAt.getTime()))
      issues.push({ path: `ledger.${i}.createdAt`, message: 'must be a valid Date' });
  if (issues.length > 0) throw new ValidationError("invalid buyer's rows", issues);
}

/** The months (`yyyymm`) intervals overlap, ascending: from each start's month to the month of its last instant. */
function monthsCovered(intervals: readonly Interval[], cal: FiguresCalendar, cohort: number): Set<number> {
  const ages = new Set<number>();
  for (const i of unionOfIntervals(intervals)) {
    const first = figureMonthsBetween(cohort, figureMonthOf(i.start, cal));
    const last = figureMonthsBetween(cohort, figureMonthOf(new Date(i.end.getTime() - 1), cal));
    for (let age = Math.max(0, first); age <= Math.min(MAX_COHORT_AGE, last); age++) ages.add(age);
  }
  return ages;
}

/**
 * Renewals per unit and month, split by who renewed: the scheduler (`auto`) or anyone else (`manual`). An `extension`
 * debit renews the unit of the subscription it names; a bundle renewed as a whole writes one debit per part (or one
 * for the bundle), so a unit's renewals in a month are the most any one part had. Trials are never renewals, nor is a
 * plan change (not an `extension`).
 */
function renewalCounts(units: readonly PaidUnit[], ledger: readonly FigureLedgerEntry[], cal: FiguresCalendar) {
  const unitOf = new Map<string, string>();
  for (const u of units) for (const p of u.parts) unitOf.set(p.id, u.id);
  const perPart = new Map<string, { unit: string; month: number; auto: boolean; n: number }>();
  for (const e of ledger) {
    if (e.kind !== 'extension' || e.amount >= 0 || e.subscriptionId === null) continue;
    const unit = unitOf.get(e.subscriptionId);
    if (unit === undefined) continue; // names a trial: not a renewal
    const month = figureMonthOf(e.createdAt, cal);
    const auto = e.actor.type === 'scheduler';
    const key = `${e.subscriptionId}\u0000${month}\u0000${auto}`;
    const row = perPart.get(key) ?? { unit, month, auto, n: 0 };
    row.n++;
    perPart.set(key, row);
  }
  const perUnit = new Map<string, { month: number; auto: boolean; n: number }>();
  for (const r of perPart.values()) {
    const key = `${r.unit}\u0000${r.month}\u0000${r.auto}`;
    const row = perUnit.get(key);
    if (row === undefined) perUnit.set(key, { month: r.month, auto: r.auto, n: r.n });
    else row.n = Math.max(row.n, r.n);
  }
  return [...perUnit.values()];
}

/**
 * What one customer contributes to every owner figure, from their own rows: a pure function, so the figures are the
 * sum of it over all customers, and a change to a customer's rows moves the figures by the difference of two calls
 * (`diffFigureCells`) — a refund or reversal moves each figure it touches exactly once.
 *
 * Under each of the customer's scopes: cohort size and still paying (`cohorts`: age 0 always, age N when the buyer's
 * paid coverage overlaps month cohort+N), revenue per cohort (`cohort_revenue`, by the month of each sales entry, per
 * currency: a refund counts in its own month and never rewrites a past one), and the monthly counters (`months`):
 * first buyers, net sales (every customer's, buyer or not, so scope `*` is the shop's), renewals auto and manual,
 * units lapsed or refunded in the month their coverage ended (and `lapses` per plan and panel), trials started in
 * the month of the first trial with their outcome (keyed by trial family), trial refusals. Whole shop only: cash
 * by gateway (`cash`), daily sales buckets (`buckets`) and the same per day of the figures' zone (`days`). LTV by
 * source is read from `cohort_revenue` and age-0 `cohorts` under `src:<kind>`, so it has no cells of its own.
 *
 * Throws `ValidationError` for an unknown zone or calendar, or a row of another customer; computes nothing then.
 */
export function buyerContribution(rows: BuyerRows, cal: FiguresCalendar): BuyerContribution {
  assertFiguresCalendar(cal);
  assertOwnRows(rows);
  const month = (d: Date) => figureMonthOf(d, cal);
  const firstPaidAt = firstPaidInstant(rows.ledger);
  const cohort = firstPaidAt === null ? null : month(firstPaidAt);
  const source = acquisitionSource(rows, firstPaidAt);
  const storefrontId = rows.customer.storefrontId;
  const scopes = ['*', ...(storefrontId === null ? [] : [`sf:${storefrontId}`]), `src:${source.kind}`];
  const keyIn = (scope: string) => (source.kind === 'campaign' && scope === 'src:campaign' ? source.campaign : '');
  const cells: FigureCell[] = [];
  const count = (metric: FigureMonthMetric, at: number, value = 1, key?: string, currency = '') => {
    for (const scope of scopes) cells.push({ table: 'months', scope, month: at, metric, key: key ?? keyIn(scope), currency, value });
  };

  for (const e of rows.ledger) {
    if (!isSalesEntry(e)) continue;
    const m = month(e.createdAt);
    count('net_sales', m, netSalesOf(e), undefined, e.currency);
    if (cohort !== null)
      for (const scope of scopes)
        cells.push({ table: 'cohort_revenue', scope, cohort, month: m, currency: e.currency, value: netSalesOf(e) });
  }

  const units = paidUnitsOf(rows.subscriptions, rows.orders, rows.ledger);
  let payingAges: number[] = [];
  if (cohort !== null) {
    const ages = monthsCovered(
      units.flatMap((u) => u.coverage),
      cal,
      cohort,
    );
    ages.add(0);
    payingAges = [...ages].sort((a, b) => a - b);
    for (const scope of scopes) for (const age of payingAges) cells.push({ table: 'cohorts', scope, cohort, age, value: 1 });
    count('first_buyers', cohort);
  }

  for (const r of renewalCounts(units, rows.ledger, cal)) count(r.auto ? 'renewals_auto' : 'renewals_manual', r.month, r.n);
  for (const unit of units) {
    const ending = unitEnding(unit, rows.ledger);
    if (ending === null) continue;
    const m = month(ending.at);
    count(ending.outcome === 'refunded' ? 'refunded_units' : 'lapsed', m);
    if (ending.outcome !== 'lapsed') continue;
    const places = new Set(unit.parts.filter((p) => p.status !== 'failed').map((p) => `${p.planId}\u0000${p.panelId}`));
    for (const place of places) {
      const [planId, panelId] = place.split('\u0000') as [string, string];
      for (const scope of scopes) cells.push({ table: 'lapses', scope, month: m, planId, panelId, value: 1 });
    }
  }

  const trial = trialConversionOf(rows);
  if (trial !== null) {
    const m = month(trial.startedAt);
    count('trials_started', m, 1, trial.family);
    if (trial.outcome !== 'not_converted') count(`trials_${trial.outcome}` as const, m, 1, trial.family);
  }
  for (const at of rows.trialRefusals) count('trial_refusals', month(at));

  const buckets = dailyBucketCells(rows);
  cells.push(...cashCells(rows, cal), ...buckets, ...figureDayCells(buckets, cal.timeZone));
  const merged = [...addFigureCells(new Map(), cells)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  return {
    customerId: rows.customer.id,
    definitionsVersion: FIGURES_DEFINITIONS_VERSION,
    firstPaidAt,
    cohort,
    source,
    scopes,
    payingAges,
    trial,
    cells: merged,
  };
}

/** The figures of many customers: their contributions summed by cell key (what the rollups hold after a rebuild). */
export function sumContributions(contributions: readonly Pick<BuyerContribution, 'cells'>[]): Map<string, FigureCell> {
  const sum = new Map<string, FigureCell>();
  for (const c of contributions) addFigureCells(sum, c.cells);
  return sum;
}
