import type { StoragePort } from '../ports/storage.js';
import type { FigureCellQuery } from '../ports/storage-figures.js';
import { type FigureCell, figureCellKey } from '../rules/figures/cells.js';

/** Months (and cohorts) `yyyymm` from the year 1000 to 9999, in either calendar. */
const ALL_MONTHS = { from: 100_001, to: 999_912 };
/** Every 15-minute bucket from 1970 to past the year 9999. */
const ALL_BUCKETS = { from: 0, to: 281_558_111 };
/** Every day (`yyyymmdd`) a bucket can start in, in any zone. */
const ALL_DAYS = { from: 19_691_231, to: 99_991_231 };

/**
 * Every rollup cell the storage holds, by `figureCellKey`: the whole-shop tables (`cash`, `buckets`, `days`) over all time,
 * and the scoped tables (`cohorts`, `cohort_revenue`, `months`, `lapses`) over all time for each of `scopes`. What a
 * test compares with `figuresFromRows` after a last fold; pass at least the oracle's scopes, and any others the
 * storage may hold, so a cell in a scope the oracle lacks shows as a difference instead of going unread.
 */
export async function heldFigureCells(storage: StoragePort, scopes: Iterable<string>): Promise<Map<string, FigureCell>> {
  const queries: FigureCellQuery[] = [
    { table: 'cash', fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to },
    { table: 'buckets', fromBucket: ALL_BUCKETS.from, toBucket: ALL_BUCKETS.to },
    { table: 'days', fromDay: ALL_DAYS.from, toDay: ALL_DAYS.to },
  ];
  for (const scope of new Set(scopes))
    queries.push(
      { table: 'cohorts', scope, fromCohort: ALL_MONTHS.from, toCohort: ALL_MONTHS.to },
      { table: 'cohort_revenue', scope, fromCohort: ALL_MONTHS.from, toCohort: ALL_MONTHS.to },
      { table: 'months', scope, fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to },
      { table: 'lapses', scope, fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to },
    );
  const cells = new Map<string, FigureCell>();
  for (const query of queries) for (const cell of await storage.figures.cells(query)) cells.set(figureCellKey(cell), cell);
  return cells;
}
