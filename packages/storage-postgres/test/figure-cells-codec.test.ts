import { describe, expect, it } from 'vitest';
import type { FigureCell } from '@panelkit/sdk/rules';
import { decodeFigureCells, encodeFigureCells } from '../src/repositories/figure-cells-codec.js';

const cells: FigureCell[] = [
  { table: 'cohorts', scope: '*', cohort: 202601, age: 0, value: 1 },
  { table: 'cohorts', scope: '*', cohort: 202601, age: 1, value: 1 },
  { table: 'cohorts', scope: 'src:organic', cohort: 202601, age: 0, value: 1 },
  { table: 'cohort_revenue', scope: 'sf:sf_1', cohort: 202601, month: 202602, currency: 'USD', value: -250 },
  { table: 'months', scope: 'src:campaign', month: 202601, metric: 'first_buyers', key: 'spring', currency: '', value: 1 },
  { table: 'lapses', scope: '*', month: 202603, planId: 'plan_1', panelId: 'pnl_1', value: 1 },
  { table: 'cash', month: 202601, providerId: 'card', currency: 'USD', flow: 'credited', value: 5000 },
  { table: 'buckets', bucket: 1_969_000, currency: 'USD', metric: 'net_sales', value: 1000 },
  { table: 'days', day: 20260221, currency: 'USD', metric: 'net_sales', value: 1000 },
  { table: 'cohorts', scope: '*', cohort: 202601, age: 2, value: 1 },
];

describe('figure_buyers cells (compact runs)', () => {
  it('reads back every kind of cell as stored, in the order stored, through JSON', () => {
    const stored = JSON.parse(JSON.stringify(encodeFigureCells(cells)));
    expect(decodeFigureCells(stored)).toEqual(cells);
    expect(decodeFigureCells(encodeFigureCells([]))).toEqual([]);
  });

  it('writes a table and scope once a run, not once a cell', () => {
    const runs = encodeFigureCells(cells);
    // cohorts *, cohorts src:organic, cohort_revenue, months, lapses, cash, buckets, days, cohorts * again.
    expect(runs.map((r) => `${r[0]} ${r[1]}`)).toEqual([
      'cohorts *',
      'cohorts src:organic',
      'cohort_revenue sf:sf_1',
      'months src:campaign',
      'lapses *',
      'cash ',
      'buckets ',
      'days ',
      'cohorts *',
    ]);
    expect(runs[0]).toEqual(['cohorts', '*', [202601, 0, 1], [202601, 1, 1]]);
    expect(JSON.stringify(runs).length).toBeLessThan(JSON.stringify(cells).length / 2);
  });
});
