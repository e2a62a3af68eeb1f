import type { BuyerRows, FigureBucketMetric, FigureCell } from '@panelkit/sdk/rules';
import {
  figureBucketCheckpointCells,
  figureBucketCheckpointOf,
  figureBucketCheckpointStart,
  figureCellMatches,
  parseFigureBucket,
  parseFigureBucketSpans,
  parseFigureCellQuery,
  parseFigureCells,
  parseFigureCursor,
  parseFigureCustomerIds,
  parseFigureLimit,
  parseFigureMeta,
  parseFoldedBuyers,
} from '@panelkit/sdk/storage';
import type { FigureBucketSpan, FigureCellQuery, FigureMeta, FoldedBuyer } from '@panelkit/sdk/storage';
import { figureCellKey } from '@panelkit/sdk/rules';
import { copy } from '../internal/copy.js';
import { compareStrings } from '../internal/keys.js';
import type { Op } from '../internal/op.js';
import type { MemoryState } from '../state.js';
import { buyerRowsOf } from './figure-sources.js';

/** The index of the last span whose `first` is at or before `bucket` (spans ascending; `bucket` not before the first). */
function spanOf(spans: readonly FigureBucketSpan[], bucket: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]!.first <= bucket) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The figures' repository (storage port 29) on the memory tables. Every call runs under the storage's one lock, so
 * `take` is serial and `lockBuyers` needs no lock of its own: no other transaction runs until this one ends. The
 * marks are written by the tables' watchers (`figure-marks.ts`), not here.
 */
export function figureOperations(state: MemoryState) {
  const tables = state.figures;
  const customers = state.customers.customers;

  return {
    mark(op: Op, customerIds: readonly string[]): void {
      const ids = parseFigureCustomerIds(customerIds);
      for (const id of ids) customers.require(id);
      for (const id of ids) tables.mark(op.undo, id);
    },

    take(op: Op, limit: number): string[] {
      return [...new Set(tables.take(op.undo, parseFigureLimit(limit)))].sort(compareStrings);
    },

    pending(_op: Op): number {
      return tables.inbox.size;
    },

    lockBuyers(_op: Op, customerIds: readonly string[]): FoldedBuyer[] {
      const ids = parseFigureCustomerIds(customerIds);
      for (const id of ids) customers.require(id);
      return ids.map((id) => copy(tables.buyers.get(id) ?? { customerId: id, definitionsVersion: 0, cells: [] }));
    },

    sources(_op: Op, customerIds: readonly string[]): BuyerRows[] {
      return buyerRowsOf(state, parseFigureCustomerIds(customerIds));
    },

    apply(op: Op, cells: readonly FigureCell[]): void {
      const parsed = parseFigureCells(cells);
      for (const cell of parsed) tables.add(op.undo, cell);
      for (const sum of figureBucketCheckpointCells(parsed)) tables.addCheckpoint(op.undo, sum);
    },

    putBuyers(op: Op, buyers: readonly FoldedBuyer[]): void {
      const parsed = parseFoldedBuyers(buyers);
      for (const b of parsed) customers.require(b.customerId);
      for (const b of parsed) tables.putBuyer(op.undo, b);
    },

    cells(_op: Op, query: FigureCellQuery): FigureCell[] {
      const q = parseFigureCellQuery(query);
      const out: FigureCell[] = [];
      // Keys start with the table's name and a NUL, so one table's cells are one key range.
      for (const [key, cell] of tables.rollups.entries(`${q.table}\u0000`)) {
        if (!key.startsWith(`${q.table}\u0000`)) break;
        if (figureCellMatches(cell, q)) out.push(copy(cell));
      }
      return out;
    },

    bucketSums(_op: Op, spans: readonly FigureBucketSpan[]): FigureCell[] {
      const parsed = parseFigureBucketSpans(spans);
      const sums = new Map<string, FigureCell>();
      if (parsed.length === 0) return [];
      const last = parsed[parsed.length - 1]!.end;
      for (const [key, cell] of tables.rollups.entries('buckets\u0000')) {
        if (!key.startsWith('buckets\u0000')) break;
        if (cell.table !== 'buckets' || cell.bucket < parsed[0]!.first || cell.bucket >= last) continue;
        // Keys sort buckets as text, not by number: find the span by search, not by walking along.
        const span = parsed[spanOf(parsed, cell.bucket)]!;
        if (cell.bucket >= span.end) continue;
        const total: FigureCell = { ...cell, bucket: span.first, value: 0 };
        const k = figureCellKey(total);
        sums.set(k, { ...total, value: (sums.get(k)?.value ?? 0) + cell.value });
      }
      return [...sums]
        .filter(([, c]) => c.value !== 0)
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([, c]) => c);
    },

    bucketTotals(_op: Op, beforeBucket: number): FigureCell[] {
      const before = parseFigureBucket(beforeBucket);
      const checkpoint = figureBucketCheckpointOf(before);
      const from = figureBucketCheckpointStart(checkpoint);
      const sums = new Map<string, FigureCell>();
      const add = (currency: string, metric: FigureBucketMetric, value: number) => {
        const total: FigureCell = { table: 'buckets', bucket: before - 1, currency, metric, value: 0 };
        const k = figureCellKey(total);
        sums.set(k, { ...total, value: (sums.get(k)?.value ?? 0) + value });
      };
      // Whole checkpoints before `before`'s, then that checkpoint's buckets before it.
      for (const c of tables.checkpoints.values()) if (c.checkpoint < checkpoint) add(c.currency, c.metric, c.value);
      for (const [key, cell] of tables.rollups.entries('buckets\u0000')) {
        if (!key.startsWith('buckets\u0000')) break;
        if (cell.table === 'buckets' && cell.bucket >= from && cell.bucket < before) add(cell.currency, cell.metric, cell.value);
      }
      return [...sums]
        .filter(([, c]) => c.value !== 0)
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([, c]) => c);
    },

    meta(_op: Op): FigureMeta | null {
      return tables.meta === null ? null : copy(tables.meta);
    },

    setMeta(op: Op, meta: FigureMeta): void {
      tables.setMeta(op.undo, parseFigureMeta(meta));
    },

    clear(op: Op): void {
      tables.clear(op.undo);
    },

    markAll(op: Op, after: string, limit: number): string | null {
      const from = parseFigureCursor(after);
      const n = parseFigureLimit(limit);
      const page = [...customers.values()]
        .map((c) => c.id)
        .filter((id) => id > from)
        .sort(compareStrings)
        .slice(0, n);
      for (const id of page) tables.mark(op.undo, id);
      return page.at(-1) ?? null;
    },
  };
}
