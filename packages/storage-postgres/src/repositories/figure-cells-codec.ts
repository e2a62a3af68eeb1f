import { InternalError } from '@panelkit/sdk';
import type { FigureCell } from '@panelkit/sdk/rules';

/**
 * A run of cells of one table and one scope: `[table, scope, ...rows]`, each row the cell's other key fields and its
 * value as an array (`cash`, `buckets` and `days` have no scope and store `''`). A buyer's 50–300 cells are a few runs (one a
 * table and scope), so the table's name and the scope are written once a run, not once a cell.
 */
type Run = [table: FigureCell['table'], scope: string, ...rows: unknown[][]];

/** A cell's scope and the rest of its fields in the order a stored row holds them. */
function split(cell: FigureCell): [scope: string, row: unknown[]] {
  switch (cell.table) {
    case 'cohorts':
      return [cell.scope, [cell.cohort, cell.age, cell.value]];
    case 'cohort_revenue':
      return [cell.scope, [cell.cohort, cell.month, cell.currency, cell.value]];
    case 'months':
      return [cell.scope, [cell.month, cell.metric, cell.key, cell.currency, cell.value]];
    case 'lapses':
      return [cell.scope, [cell.month, cell.planId, cell.panelId, cell.value]];
    case 'cash':
      return ['', [cell.month, cell.providerId, cell.currency, cell.flow, cell.value]];
    case 'buckets':
      return ['', [cell.bucket, cell.currency, cell.metric, cell.value]];
    case 'days':
      return ['', [cell.day, cell.currency, cell.metric, cell.value]];
  }
}

/** The cell a stored row is (the inverse of {@link split}). */
function join(table: string, scope: string, r: unknown[]): FigureCell {
  const [a, b, c, d, e] = r as [number, never, never, never, number];
  switch (table) {
    case 'cohorts':
      return { table, scope, cohort: a, age: b, value: c };
    case 'cohort_revenue':
      return { table, scope, cohort: a, month: b, currency: c, value: d };
    case 'months':
      return { table, scope, month: a, metric: b, key: c, currency: d, value: e };
    case 'lapses':
      return { table, scope, month: a, planId: b, panelId: c, value: d };
    case 'cash':
      return { table, month: a, providerId: b, currency: c, flow: d, value: e };
    case 'buckets':
      return { table, bucket: a, currency: b, metric: c, value: d };
    case 'days':
      return { table, day: a, currency: b, metric: c, value: d };
    default:
      throw new InternalError(`figure_buyers holds a cell of an unknown table ${JSON.stringify(table)}`);
  }
}

/** A folded contribution's cells as `figure_buyers.cells` stores them, in their order (checked cells only). */
export function encodeFigureCells(cells: readonly FigureCell[]): Run[] {
  const runs: Run[] = [];
  let last: Run | undefined;
  for (const cell of cells) {
    const [scope, row] = split(cell);
    if (last === undefined || last[0] !== cell.table || last[1] !== scope) {
      last = [cell.table, scope];
      runs.push(last);
    }
    last.push(row);
  }
  return runs;
}

/** The cells `figure_buyers.cells` holds, in the order they were stored. */
export function decodeFigureCells(stored: unknown): FigureCell[] {
  const cells: FigureCell[] = [];
  for (const run of stored as Run[]) {
    const [table, scope, ...rows] = run;
    for (const row of rows) cells.push(join(table, scope, row));
  }
  return cells;
}
