/**
 * The read model's numbers of scope `*`, keyed as the naive baseline keys them (`naive.ts`), read from the rollups
 * the overview reads (`figures.cells`), and the check that both agree.
 */
import type { StoragePort } from '@panelkit/sdk/storage';
import type { FigureNumbers } from './naive.js';

const ALL = { from: 100_001, to: 999_912 };

/** Every cell of the tables the baseline computes, scope `*`. */
export async function readModelNumbers(storage: StoragePort): Promise<FigureNumbers> {
  const out: FigureNumbers = new Map();
  const put = (table: string, key: string, value: number) => {
    const of = out.get(table) ?? new Map<string, number>();
    of.set(key, (of.get(key) ?? 0) + value);
    out.set(table, of);
  };
  const f = storage.figures;
  for (const c of await f.cells({ table: 'cohorts', scope: '*', fromCohort: ALL.from, toCohort: ALL.to }))
    if (c.table === 'cohorts') put('cohorts', `${c.cohort}/${c.age}`, c.value);
  for (const c of await f.cells({ table: 'cohort_revenue', scope: '*', fromCohort: ALL.from, toCohort: ALL.to }))
    if (c.table === 'cohort_revenue') put('cohort_revenue', `${c.cohort}/${c.month}/${c.currency}`, c.value);
  const metrics = ['net_sales', 'first_buyers', 'lapsed', 'refunded_units'] as const;
  for (const c of await f.cells({ table: 'months', scope: '*', fromMonth: ALL.from, toMonth: ALL.to, metrics }))
    if (c.table === 'months') put(c.metric, c.metric === 'net_sales' ? `${c.month}/${c.currency}` : `${c.month}`, c.value);
  for (const c of await f.cells({ table: 'lapses', scope: '*', fromMonth: ALL.from, toMonth: ALL.to }))
    if (c.table === 'lapses') put('lapses', `${c.month}/${c.planId}/${c.panelId}`, c.value);
  return out;
}

/** The differences between two sets of numbers (at most `limit` of them), empty when they agree key for key. */
export function differences(model: FigureNumbers, naive: FigureNumbers, limit = 10): string[] {
  const out: string[] = [];
  for (const table of new Set([...model.keys(), ...naive.keys()])) {
    const a = model.get(table) ?? new Map<string, number>();
    const b = naive.get(table) ?? new Map<string, number>();
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      if ((a.get(key) ?? 0) !== (b.get(key) ?? 0)) out.push(`${table} ${key}: read model ${a.get(key) ?? 0}, naive SQL ${b.get(key) ?? 0}`);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** How many keys and what total each table holds (the report's line that the check compared something). */
export function summary(numbers: FigureNumbers): string {
  return [...numbers].map(([table, of]) => `${table} ${of.size} keys`).join(', ');
}
