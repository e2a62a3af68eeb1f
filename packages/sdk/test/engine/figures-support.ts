import { figureCellKey, type FigureCell } from '../../src/rules/index.js';
import type { StoragePort } from '../../src/storage.js';

const ALL_MONTHS = { from: 100_001, to: 999_912 };

/** Every non-zero rollup cell the storage holds, by key, for the scopes given. */
export async function storedCells(storage: StoragePort, scopes: Iterable<string>): Promise<Map<string, FigureCell>> {
  const f = storage.figures;
  const cells: FigureCell[] = [
    ...(await f.cells({ table: 'cash', fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to })),
    ...(await f.cells({ table: 'buckets', fromBucket: 0, toBucket: 281_558_111 })),
  ];
  for (const scope of new Set(scopes)) {
    cells.push(
      ...(await f.cells({ table: 'cohorts', scope, fromCohort: ALL_MONTHS.from, toCohort: ALL_MONTHS.to })),
      ...(await f.cells({ table: 'cohort_revenue', scope, fromCohort: ALL_MONTHS.from, toCohort: ALL_MONTHS.to })),
      ...(await f.cells({ table: 'months', scope, fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to })),
      ...(await f.cells({ table: 'lapses', scope, fromMonth: ALL_MONTHS.from, toMonth: ALL_MONTHS.to })),
    );
  }
  return new Map(cells.map((c) => [figureCellKey(c), c]));
}

/** The scopes cells name (plus `*`). */
export function scopesOf(cells: Iterable<FigureCell>): Set<string> {
  const scopes = new Set<string>(['*', 'src:organic', 'src:campaign', 'src:referral', 'src:gift', 'src:storefront']);
  for (const c of cells) if ('scope' in c) scopes.add(c.scope);
  return scopes;
}

/** A seeded pseudo-random source (mulberry32), so a failing sequence can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
