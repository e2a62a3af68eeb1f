import type { CohortRevenueRow, CohortRow, SourceLtv } from '../../domain/owner-figures.js';
import { LTV_AGES } from '../../domain/owner-figures.js';
import { MAX_COHORT_AGE } from '../../rules/figures/buyer.js';
import { addFigureMonths, figureMonthsBetween } from '../../rules/figures/calendar.js';
import type { FigureCell } from '../../rules/figures/cells.js';
import type { AcquisitionSourceKind } from '../../rules/figures/source.js';

type CohortCell = Extract<FigureCell, { table: 'cohorts' }>;
type RevenueCell = Extract<FigureCell, { table: 'cohort_revenue' }>;

/** The oldest age of `cohort` shown in `current` (ages past the current month are not reached yet). */
function reachedAge(cohort: number, current: number): number {
  return Math.min(MAX_COHORT_AGE, figureMonthsBetween(cohort, current));
}

/** The cohort grid from `cohorts` cells: per cohort with a size, every age reached, "final" once its month ended. */
export function cohortRows(cells: readonly FigureCell[], current: number): CohortRow[] {
  const byCohort = new Map<number, Map<number, number>>();
  for (const c of cells as CohortCell[]) {
    const ages = byCohort.get(c.cohort) ?? new Map<number, number>();
    ages.set(c.age, (ages.get(c.age) ?? 0) + c.value);
    byCohort.set(c.cohort, ages);
  }
  const rows: CohortRow[] = [];
  for (const [cohort, ages] of [...byCohort].sort(([a], [b]) => a - b)) {
    const size = ages.get(0) ?? 0;
    if (size === 0) continue;
    const last = reachedAge(cohort, current);
    const row: CohortRow = { cohort, size, ages: [] };
    for (let age = 0; age <= last; age++) {
      const month = addFigureMonths(cohort, age);
      row.ages.push({ age, month, buyers: ages.get(age) ?? 0, final: month < current });
    }
    rows.push(row);
  }
  return rows;
}

/** Revenue per cohort and currency by age, with its running total, from `cohort_revenue` cells. */
export function cohortRevenueRows(cells: readonly FigureCell[], current: number): CohortRevenueRow[] {
  const byKey = new Map<string, { cohort: number; currency: string; months: Map<number, number> }>();
  for (const c of cells as RevenueCell[]) {
    const key = `${c.cohort}\u0000${c.currency}`;
    const row = byKey.get(key) ?? { cohort: c.cohort, currency: c.currency, months: new Map<number, number>() };
    row.months.set(c.month, (row.months.get(c.month) ?? 0) + c.value);
    byKey.set(key, row);
  }
  const rows = [...byKey.values()].sort((a, b) => a.cohort - b.cohort || (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
  return rows.map(({ cohort, currency, months }) => {
    let cumulative = 0;
    const ages: CohortRevenueRow['ages'] = [];
    for (let age = 0; age <= Math.max(0, reachedAge(cohort, current)); age++) {
      const month = addFigureMonths(cohort, age);
      const amount = months.get(month) ?? 0;
      cumulative += amount;
      ages.push({ age, month, amount, cumulative });
    }
    return { cohort, currency, ages };
  });
}

/**
 * LTV of one source kind from its scope's age-0 `cohorts` cells and `cohort_revenue` cells: per currency, buyers, net
 * sales and per buyer since the first payment, and at each of {@link LTV_AGES} over the cohorts old enough (the
 * month at that age has ended before `current`).
 */
export function sourceLtv(
  source: AcquisitionSourceKind,
  cohorts: readonly FigureCell[],
  revenue: readonly FigureCell[],
  current: number,
): SourceLtv[] {
  const sizes = new Map<number, number>();
  for (const c of cohorts as CohortCell[]) if (c.age === 0) sizes.set(c.cohort, (sizes.get(c.cohort) ?? 0) + c.value);
  const buyers = [...sizes.values()].reduce((a, b) => a + b, 0);
  const currencies = [...new Set((revenue as RevenueCell[]).map((c) => c.currency))].sort();
  const per = (amount: number, n: number) => (n === 0 ? null : Math.floor(amount / n));
  return currencies.map((currency) => {
    const own = (revenue as RevenueCell[]).filter((c) => c.currency === currency);
    const netSales = own.reduce((sum, c) => sum + c.value, 0);
    const atAge = LTV_AGES.map((age) => {
      const old = [...sizes].filter(([cohort]) => addFigureMonths(cohort, age) < current);
      const n = old.reduce((sum, [, size]) => sum + size, 0);
      const cohortsOld = new Set(old.map(([cohort]) => cohort));
      const amount = own
        .filter((c) => cohortsOld.has(c.cohort) && figureMonthsBetween(c.cohort, c.month) <= age)
        .reduce((sum, c) => sum + c.value, 0);
      return { age, buyers: n, netSales: amount, perBuyer: per(amount, n) };
    });
    return { source, currency, buyers, netSales, perBuyer: per(netSales, buyers), atAge };
  });
}
