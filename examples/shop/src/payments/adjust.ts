import { InsufficientFundsError, type LedgerEntry } from '@panelkit/sdk';
import type { Shop } from '../stack/shop.js';

export type AdjustResult = { ok: true; entry: LedgerEntry; created: boolean } | { ok: false; reason: 'below_zero'; balance: number };

/**
 * An admin's manual correction: a signed `adjustment` entry with the admin's note, audited. The
 * engine has no operation for it (see the report), so this appends through storage in one
 * transaction. The key comes from the form's nonce: the same form posted twice adjusts once.
 */
export async function adjustBalance(
  shop: Shop,
  input: { customerId: string; amount: number; currency: string; note: string; nonce: string; adminId: string },
): Promise<AdjustResult> {
  const actor = { type: 'admin' as const, id: input.adminId };
  try {
    const appended = await shop.storage.transaction(async (tx) => {
      const result = await tx.ledger.append({
        customerId: input.customerId,
        kind: 'adjustment',
        amount: input.amount,
        currency: input.currency,
        idempotencyKey: `adjustment:${input.customerId}:${input.nonce}`,
        note: input.note,
        actor,
      });
      if (result.created) {
        await tx.audit.append({
          actor,
          action: 'ledger.adjusted',
          subjectType: 'customer',
          subjectId: input.customerId,
          data: { amount: input.amount, currency: input.currency, note: input.note },
        });
      }
      return result;
    });
    return { ok: true, ...appended };
  } catch (error) {
    if (InsufficientFundsError.is(error)) return { ok: false, reason: 'below_zero', balance: await shop.storage.ledger.balance(input.customerId, input.currency) };
    throw error;
  }
}
