/**
 * The inverse of every low-level write made so far, newest last. Rolling back runs them newest
 * first, which restores rows, indexes and counters exactly as they were.
 */
export class UndoLog {
  readonly #entries: (() => void)[] = [];

  /** Records how to undo a write that has just been applied. */
  push(undo: () => void): void {
    this.#entries.push(undo);
  }

  /** A savepoint: pass it to `rollbackTo` to undo everything recorded after this call. */
  mark(): number {
    return this.#entries.length;
  }

  rollbackTo(mark: number): void {
    while (this.#entries.length > mark) {
      const undo = this.#entries.pop();
      undo?.();
    }
  }

  rollback(): void {
    this.rollbackTo(0);
  }
}
