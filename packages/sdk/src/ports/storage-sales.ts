import type { SalesDay, SalesFiguresRange } from '../domain/sales.js';

/**
 * The sales read model: the figures an owner reads, counted by the storage from its own rows (one
 * aggregate pass, not a row per entry), with one definition in every storage.
 */
export interface SalesRepository {
  /**
   * One {@link SalesDay} per day of `range`, in its order. A day counts what happened in `[start, end)`:
   * net revenue (the ledger entries of `REVENUE_LEDGER_KINDS`, negated so spending is positive and a
   * refund takes it back), paid orders (`total.amount > 0`) and subscriptions created; `inService` is
   * the subscriptions with `activatedAt < end` that had not left service by `end` (an `expired` one left
   * at its `statusChangedAt`; a `terminated` one at the earlier of its `statusChangedAt` and `expiresAt`).
   * Every currency seen in the range appears on every day (0 where nothing moved), ordered by currency.
   * More than `MAX_SALES_DAYS` days, days out of order or overlapping: `ValidationError`.
   */
  figures(range: SalesFiguresRange): Promise<SalesDay[]>;
}
