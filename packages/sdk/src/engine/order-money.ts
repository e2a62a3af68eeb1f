import type { LedgerEntry } from '../domain/ledger.js';

/** What an order's ledger entries say: paid (its purchase debits, retried units included) and refunded, in minor units. */
export interface OrderMoney {
  paid: number;
  refunded: number;
}

/** Sums an order's entries (`ledger.listByOrder`): purchases and device packs as paid, refunds as refunded; other kinds are not the order's money. */
export function orderMoney(entries: readonly LedgerEntry[]): OrderMoney {
  let paid = 0;
  let refunded = 0;
  for (const e of entries) {
    if (e.kind === 'purchase' || e.kind === 'device_pack') paid -= e.amount;
    else if (e.kind === 'refund') refunded += e.amount;
  }
  return { paid, refunded };
}
