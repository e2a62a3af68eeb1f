import { addFigureCells, figureCellKey } from '@panelkit/sdk/rules';
import type { FigureCell } from '@panelkit/sdk/rules';
import type { FigureCellQuery } from '@panelkit/sdk/storage';
import { dec } from '../internal/sql.js';
import { checkpointCte } from './figure-checkpoints.js';
import type { Row } from '../internal/sql.js';

type Table = FigureCell['table'];
type CellOf<T extends Table> = Extract<FigureCell, { table: T }>;

/** One key column of a rollup table: its name, its SQL type, and the cell's field it holds. */
type KeyColumn = readonly [column: string, cast: 'text' | 'integer' | 'bigint', field: string];

/** Each rollup table's key columns in key order (the order `figureCellKey` joins them in; migrations 39 and 42). */
const ROLLUPS: { readonly [T in Table]: { readonly name: string; readonly keys: readonly KeyColumn[] } } = {
  cohorts: {
    name: 'figure_cohorts',
    keys: [
      ['scope', 'text', 'scope'],
      ['cohort', 'integer', 'cohort'],
      ['age', 'integer', 'age'],
    ],
  },
  cohort_revenue: {
    name: 'figure_cohort_revenue',
    keys: [
      ['scope', 'text', 'scope'],
      ['cohort', 'integer', 'cohort'],
      ['month', 'integer', 'month'],
      ['currency', 'text', 'currency'],
    ],
  },
  months: {
    name: 'figure_months',
    keys: [
      ['scope', 'text', 'scope'],
      ['month', 'integer', 'month'],
      ['metric', 'text', 'metric'],
      ['key', 'text', 'key'],
      ['currency', 'text', 'currency'],
    ],
  },
  lapses: {
    name: 'figure_lapses',
    keys: [
      ['scope', 'text', 'scope'],
      ['month', 'integer', 'month'],
      ['plan_id', 'text', 'planId'],
      ['panel_id', 'text', 'panelId'],
    ],
  },
  cash: {
    name: 'figure_cash',
    keys: [
      ['month', 'integer', 'month'],
      ['provider_id', 'text', 'providerId'],
      ['currency', 'text', 'currency'],
      ['flow', 'text', 'flow'],
    ],
  },
  buckets: {
    name: 'figure_buckets',
    keys: [
      ['bucket', 'bigint', 'bucket'],
      ['currency', 'text', 'currency'],
      ['metric', 'text', 'metric'],
    ],
  },
  days: {
    name: 'figure_days',
    keys: [
      ['day', 'integer', 'day'],
      ['currency', 'text', 'currency'],
      ['metric', 'text', 'metric'],
    ],
  },
};

const TABLES = Object.keys(ROLLUPS) as Table[];

/** Every rollup table's name (what `clear` empties besides `figure_buyers`). */
export const ROLLUP_TABLE_NAMES: readonly string[] = TABLES.map((t) => ROLLUPS[t].name);

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Cells sorted by `figureCellKey`, the order the memory storage and `diffFigureCells` give. */
export function sortedByKey(cells: readonly FigureCell[]): FigureCell[] {
  return cells
    .map((cell) => [figureCellKey(cell), cell] as const)
    .sort(([a], [b]) => byKey(a, b))
    .map(([, cell]) => cell);
}

/**
 * `figures.apply` as one statement: per table, an `INSERT … SELECT FROM unnest(…) ORDER BY n ON CONFLICT DO UPDATE`
 * adding each value to its row, each a CTE (every one runs, read or not). Its parameters are, per table, one array a
 * key column and one of values. The cells are summed by key first (one upsert may not touch a row twice) and sorted by
 * key, so two folds touching the same rows lock them in one order. A last CTE adds the bucket cells to their
 * checkpoints (`figure-checkpoints.ts`), so the checkpoints change in the statement that changes the buckets.
 */
export function applyStatement(schema: string, cells: readonly FigureCell[]): { sql: string; params: unknown[][] } {
  const summed = addFigureCells(new Map(), cells);
  const ordered = [...summed].sort(([a], [b]) => byKey(a, b)).map(([, cell]) => cell);
  const params: unknown[][] = [];
  const ctes = TABLES.map((table) => {
    const { name, keys } = ROLLUPS[table];
    const mine = ordered.filter((cell) => cell.table === table) as Record<string, unknown>[];
    const first = params.length + 1;
    for (const [, , field] of keys) params.push(mine.map((cell) => cell[field]));
    params.push(mine.map((cell) => cell['value']));
    const columns = keys.map(([column]) => column);
    const arrays = [...keys.map(([, cast], i) => `$${first + i}::${cast}[]`), `$${first + keys.length}::bigint[]`];
    return `${table} AS (INSERT INTO ${schema}.${name} AS t (${columns.join(', ')}, value)
      SELECT ${columns.map((c) => `u.${c}`).join(', ')}, u.value
        FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS u(${columns.join(', ')}, value, n) ORDER BY u.n
      ON CONFLICT (${columns.join(', ')}) DO UPDATE SET value = t.value + EXCLUDED.value)`;
  });
  ctes.push(checkpointCte(schema, ordered, params));
  return { sql: `WITH ${ctes.join(',\n')} SELECT 1`, params };
}

/** The `SELECT` of one query's rows (non-zero only: a row back at 0 stays until a rebuild empties it). */
export function cellsStatement(schema: string, q: FigureCellQuery): { sql: string; params: unknown[] } {
  const { name, keys } = ROLLUPS[q.table];
  const columns = keys.map(([column]) => column).join(', ');
  const select = (where: string, params: unknown[]) => ({
    sql: `SELECT ${columns}, value FROM ${schema}.${name} WHERE ${where} AND value <> 0`,
    params,
  });
  switch (q.table) {
    case 'cohorts':
    case 'cohort_revenue':
      return select('scope = $1 AND cohort BETWEEN $2 AND $3', [q.scope, q.fromCohort, q.toCohort]);
    case 'months':
      return q.metrics === undefined
        ? select('scope = $1 AND month BETWEEN $2 AND $3', [q.scope, q.fromMonth, q.toMonth])
        : select('scope = $1 AND month BETWEEN $2 AND $3 AND metric = ANY($4::text[])', [q.scope, q.fromMonth, q.toMonth, [...q.metrics]]);
    case 'lapses':
      return select('scope = $1 AND month BETWEEN $2 AND $3', [q.scope, q.fromMonth, q.toMonth]);
    case 'cash':
      return select('month BETWEEN $1 AND $2', [q.fromMonth, q.toMonth]);
    case 'buckets':
      return select('bucket BETWEEN $1 AND $2', [q.fromBucket, q.toBucket]);
    case 'days':
      return select('day BETWEEN $1 AND $2', [q.fromDay, q.toDay]);
  }
}

/** A row of `table` as its cell (integers and bigints come back as strings from pg, as numbers from PGlite). */
export function cellFromRow<T extends Table>(table: T, r: Row): CellOf<T> {
  const cell: Record<string, unknown> = { table };
  for (const [column, cast, field] of ROLLUPS[table].keys) cell[field] = cast === 'text' ? dec.text(r[column]) : dec.int(r[column]);
  cell['value'] = dec.int(r['value']);
  return cell as CellOf<T>;
}
