import type { LedgerKind } from '../../domain/ledger.js';
import { REVENUE_LEDGER_KINDS } from '../../domain/sales.js';
import type { FigureLedgerEntry } from './rows.js';

const REVENUE = new Set<LedgerKind>(REVENUE_LEDGER_KINDS);

/** Whether an entry is sales money (`REVENUE_LEDGER_KINDS`), a debit or a credit (a refund, a downgrade's credit). */
export function isSalesEntry(entry: Pick<FigureLedgerEntry, 'kind'>): boolean {
  return REVENUE.has(entry.kind);
}

/** A sales debit: an entry of a `REVENUE_LEDGER_KINDS` kind that takes money (`amount < 0`). One makes its customer a buyer. */
export function isSalesDebit(entry: Pick<FigureLedgerEntry, 'kind' | 'amount'>): boolean {
  return REVENUE.has(entry.kind) && entry.amount < 0;
}

/** What an entry adds to net sales, in minor units: sales kinds negated (spending is positive, a refund negative); 0 otherwise. */
export function netSalesOf(entry: Pick<FigureLedgerEntry, 'kind' | 'amount'>): number {
  return REVENUE.has(entry.kind) ? -entry.amount : 0;
}

/**
 * A customer's first paid instant: the `createdAt` of their earliest sales debit, or `null` for a customer who never
 * paid for anything (not a buyer). The ledger is append-only, so once set it never moves; a refund does not move it.
 */
export function firstPaidInstant(ledger: readonly Pick<FigureLedgerEntry, 'kind' | 'amount' | 'createdAt'>[]): Date | null {
  let first: Date | null = null;
  for (const e of ledger) if (isSalesDebit(e) && (first === null || e.createdAt < first)) first = e.createdAt;
  return first;
}
