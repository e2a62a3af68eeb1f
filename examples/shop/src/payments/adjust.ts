import { InsufficientFundsError, type LedgerEntry } from '@panelkit/sdk';
import type { Shop } from '../stack/shop.js';

export type AdjustResult = { ok: true; entry: LedgerEntry; created: boolean } | { ok: false; reason: 'below_zero'; balance: number };

/**
 * An admin's manual correction through the engine: a signed `adjustment` entry with the admin's
 * note, audited. The key comes from the form's nonce: the same form posted twice adjusts once.
 */
export async function adjustBalance(
  shop: Shop,
  input: { customerId: string; amount: number; currency: string; note: string; nonce: string; adminId: string },
): Promise<AdjustResult> {
  try {
    const adjusted = await shop.kit.adjust({
      customerId: input.customerId,
      amount: input.amount,
      currency: input.currency,
      idempotencyKey: `adjustment:${input.customerId}:${input.nonce}`,
      note: input.note,
      actor: { type: 'admin', id: input.adminId },
    });
    return { ok: true, ...adjusted };
  } catch (error) {
    if (InsufficientFundsError.is(error))
      return { ok: false, reason: 'below_zero', balance: await shop.storage.ledger.balance(input.customerId, input.currency) };
    throw error;
  }
}
