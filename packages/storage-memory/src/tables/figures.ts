import { type FigureCell, figureCellKey } from '@panelkit/sdk/rules';
import { type FigureBucketCheckpointCell, type FigureMeta, type FoldedBuyer, figureBucketCheckpointKey } from '@panelkit/sdk/storage';
import { BTree } from '../internal/btree.js';
import { compareNumbers, compareStrings } from '../internal/keys.js';
import type { UndoLog } from '../internal/undo-log.js';

/**
 * The figures' tables (storage port 29): the inbox of customers to fold (by a sequence number, oldest first), each
 * customer's folded contribution, the rollup cells by `figureCellKey`, the buckets' checkpoint sums (what
 * `bucketTotals` reads for whole checkpoints) and the meta row. Every write records its inverse in the undo log it is
 * given, so a failed call or transaction undoes marks, takes and folds alike.
 */
export class FigureTables {
  /** Inbox rows: sequence number → customer id. A customer marked twice has two rows, as in PostgreSQL. */
  readonly inbox = new BTree<number, string>(undefined, compareNumbers);
  #nextSeq = 1;
  buyers = new Map<string, FoldedBuyer>();
  /** Rollup cells by `figureCellKey`; a cell whose value returns to 0 is removed. */
  rollups = new BTree<string, FigureCell>(undefined, compareStrings);
  /** Each checkpoint's sums by `figureBucketCheckpointKey`; a sum back at 0 is removed. */
  checkpoints = new Map<string, FigureBucketCheckpointCell>();
  meta: FigureMeta | null = null;

  /** Puts one inbox row for `customerId`. The sequence is not given back on undo (a bigserial is not either). */
  mark(undo: UndoLog, customerId: string): void {
    const seq = this.#nextSeq++;
    this.inbox.set(seq, customerId);
    undo.push(() => this.inbox.delete(seq));
  }

  /** Removes up to `limit` inbox rows, oldest first, and returns their customer ids (with repeats). */
  take(undo: UndoLog, limit: number): string[] {
    const taken: [number, string][] = [];
    for (const row of this.inbox.entries()) {
      if (taken.length >= limit) break;
      taken.push(row);
    }
    for (const [seq] of taken) this.inbox.delete(seq);
    undo.push(() => {
      for (const [seq, id] of taken) this.inbox.set(seq, id);
    });
    return taken.map(([, id]) => id);
  }

  /** Adds `cell.value` to its rollup row. */
  add(undo: UndoLog, cell: FigureCell): void {
    if (cell.value === 0) return;
    const key = figureCellKey(cell);
    const before = this.rollups.get(key);
    const value = (before?.value ?? 0) + cell.value;
    const rollups = this.rollups;
    if (value === 0) rollups.delete(key);
    else rollups.set(key, { ...cell, value });
    undo.push(() => {
      if (before === undefined) rollups.delete(key);
      else rollups.set(key, before);
    });
  }

  /** Adds `cell.value` to its checkpoint's sum. */
  addCheckpoint(undo: UndoLog, cell: FigureBucketCheckpointCell): void {
    const key = figureBucketCheckpointKey(cell);
    const checkpoints = this.checkpoints;
    const before = checkpoints.get(key);
    const value = (before?.value ?? 0) + cell.value;
    if (value === 0) checkpoints.delete(key);
    else checkpoints.set(key, { ...cell, value });
    undo.push(() => {
      if (before === undefined) checkpoints.delete(key);
      else checkpoints.set(key, before);
    });
  }

  putBuyer(undo: UndoLog, buyer: FoldedBuyer): void {
    const buyers = this.buyers;
    const before = buyers.get(buyer.customerId);
    buyers.set(buyer.customerId, buyer);
    undo.push(() => {
      if (before === undefined) buyers.delete(buyer.customerId);
      else buyers.set(buyer.customerId, before);
    });
  }

  setMeta(undo: UndoLog, meta: FigureMeta): void {
    const before = this.meta;
    this.meta = meta;
    undo.push(() => {
      this.meta = before;
    });
  }

  /** Empties the rollups, their checkpoints and the folded contributions (the inbox and the meta stay). */
  clear(undo: UndoLog): void {
    const { rollups, checkpoints, buyers } = this;
    this.rollups = new BTree<string, FigureCell>(undefined, compareStrings);
    this.checkpoints = new Map();
    this.buyers = new Map();
    undo.push(() => {
      this.rollups = rollups;
      this.checkpoints = checkpoints;
      this.buyers = buyers;
    });
  }
}
