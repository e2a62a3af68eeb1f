import { InsufficientFundsError, type LedgerEntry } from '@panelkit/sdk';
import type { AccountRole } from '../../db/accounts.js';
import { supportMoneyOf, type SupportMoneyRefusal } from '../../db/support-money.js';
import type { Shop } from '../shop.js';

export type AdjustResult =
  | { ok: true; entry: LedgerEntry; created: boolean }
  | { ok: false; reason: 'below_zero'; balance: number }
  | { ok: false; reason: SupportMoneyRefusal | 'not_staff' | 'own_wallet' };

/**
 * A staff member's manual correction through the engine: a signed `adjustment` entry with the note, audited.
 * The owner (`admin`) adjusts freely; support staff within the owner's caps (see `supportMoneyOf`) and never
 * their own wallet; anyone else not at all. The key comes from the form's nonce: the same form posted twice adjusts once.
 */
export async function adjustBalance(
  shop: Shop,
  input: { customerId: string; amount: number; currency: string; note: string; nonce: string; adminId: string; role: AccountRole },
): Promise<AdjustResult> {
  if (input.role !== 'admin' && input.role !== 'support') return { ok: false, reason: 'not_staff' };
  // Support staff never correct their own wallet: the owner does.
  if (input.role === 'support' && (await shop.accounts.get(input.adminId))?.customerId === input.customerId)
    return { ok: false, reason: 'own_wallet' };
  const capped = input.role === 'support' ? supportMoneyOf(shop) : null;
  const reserved = capped === null ? null : await capped.reserve(input.adminId, Math.abs(input.amount));
  if (reserved !== null && !reserved.ok) return { ok: false, reason: reserved.reason };
  const giveBack = async () => {
    if (capped !== null && reserved?.ok === true) await capped.release(input.adminId, reserved.day, Math.abs(input.amount));
  };
  try {
    const adjusted = await shop.kit.adjust({
      customerId: input.customerId,
      amount: input.amount,
      currency: input.currency,
      idempotencyKey: `adjustment:${input.customerId}:${input.nonce}`,
      note: input.note,
      actor: { type: 'admin', id: input.adminId },
    });
    if (!adjusted.created) await giveBack();
    return { ok: true, ...adjusted };
  } catch (error) {
    await giveBack();
    if (InsufficientFundsError.is(error))
      return { ok: false, reason: 'below_zero', balance: await shop.storage.ledger.balance(input.customerId, input.currency) };
    throw error;
  }
}
