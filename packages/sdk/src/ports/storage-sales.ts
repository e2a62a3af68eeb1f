import type { CampaignFigures } from '../domain/campaign.js';
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
  /**
   * The figures of each campaign over the whole of `range` (from its first day's start to its last day's end), under
   * the same definitions as `figures`: sign-ups (attributions made in the period), first purchases (attributed
   * customers whose first paid order ever was placed in the period) and net revenue of the attributed customers'
   * ledger entries of `REVENUE_LEDGER_KINDS` in the period (negated, refunds taken out), per currency. A campaign
   * appears when it has any attribution, ever; ordered by campaign. The range is checked as for `figures`.
   */
  campaigns(range: SalesFiguresRange): Promise<CampaignFigures[]>;
}
