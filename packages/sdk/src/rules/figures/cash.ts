import { refundsOf } from '../../domain/payment-refund.js';
import type { FiguresCalendar } from './calendar.js';
import { figureMonthOf } from './calendar.js';
import type { FigureCashFlow, FigureCell } from './cells.js';
import type { BuyerRows, FigureLedgerEntry } from './rows.js';

/**
 * A customer's part of revenue by gateway: cash, not sales. Per month of the ledger entry, gateway (`providerId`) and
 * currency: `credited`, each payment's `top_up` entry; `reversed`, its `payment_reversal` entry for a chargeback or
 * gateway refund (`reversalEntryId`); `refunded`, the `payment_reversal` entries of its succeeded provider refunds.
 * Amounts are what the entries moved, as positive minor units: a reversal that found the wallet short (or empty, with no
 * entry) counts what left the wallet. Cash in the month is `credited − reversed − refunded`. Admin adjustments and
 * referral credit are not gateway money and do not count.
 */
export function cashCells(rows: Pick<BuyerRows, 'ledger' | 'payments'>, cal: FiguresCalendar): FigureCell[] {
  const byId = new Map<string, FigureLedgerEntry>(rows.ledger.map((e) => [e.id, e]));
  const cells: FigureCell[] = [];
  const add = (p: BuyerRows['payments'][number], entryId: string | null, kind: FigureLedgerEntry['kind'], flow: FigureCashFlow) => {
    const e = entryId === null ? undefined : byId.get(entryId);
    if (e === undefined || e.kind !== kind) return;
    cells.push({
      table: 'cash',
      month: figureMonthOf(e.createdAt, cal),
      providerId: p.providerId,
      currency: e.currency,
      flow,
      value: Math.abs(e.amount),
    });
  };
  for (const p of rows.payments) {
    add(p, p.ledgerEntryId, 'top_up', 'credited');
    const refunds = Object.values(refundsOf(p)).filter((r) => r.status === 'succeeded');
    for (const r of refunds) add(p, r.entryId, 'payment_reversal', 'refunded');
    // A payment refunded in full at the provider names its last refund's entry as its reversal too: counted once.
    if (!refunds.some((r) => r.entryId === p.reversalEntryId)) add(p, p.reversalEntryId, 'payment_reversal', 'reversed');
  }
  return cells;
}
