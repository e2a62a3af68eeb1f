import type { Account } from '../../db/accounts.js';
import { emailCodesOf } from '../../db/email-codes.js';
import { EMAIL_CODE_GUESSES_PER_ADDRESS, signInThrottleOf } from '../../db/sign-in-throttle.js';
import type { Shop } from '../shop.js';
import { normalEmail } from './code-sign-in.js';
import { moveEmail } from './credentials.js';
import { sendEmailCode } from './email-codes.js';
import { isPlaceholderEmail } from './passwordless-accounts.js';

/** Why adding an e-mail was refused. */
export type AddEmailRefusal = 'has_email' | 'wrong_code' | 'email_taken' | 'throttled';

/** Whether the account may add an e-mail by code: a buyer whose sign-in address reaches nobody (a Telegram-made or provider-made account). */
export function canAddEmail(account: Account): boolean {
  return account.role === 'buyer' && isPlaceholderEmail(account.email);
}

/**
 * A signed-in buyer without a real e-mail (they came through Telegram) asks to add `email`: a code bound to their
 * account goes there. Nothing is said about whether the address is someone else's until the code proves it theirs.
 */
export async function requestEmailAddition(shop: Shop, account: Account, email: string, locale: string): Promise<{ ok: boolean }> {
  if (!canAddEmail(account)) return { ok: false };
  const address = normalEmail(email);
  if (isPlaceholderEmail(address)) return { ok: false };
  await sendEmailCode(shop, { purpose: 'add_email', email: address, locale, accountId: account.id });
  return { ok: true };
}

/**
 * The code from the new address's mailbox: the account moves to the address (and then signs in by password reset,
 * an e-mailed code, or Telegram as before). Guesses count against the address like sign-in codes.
 */
export async function confirmEmailAddition(
  shop: Shop,
  account: Account,
  email: string,
  code: string,
): Promise<{ ok: true } | { ok: false; reason: AddEmailRefusal; retryAfterMs?: number }> {
  if (!canAddEmail(account)) return { ok: false, reason: 'has_email' };
  const address = normalEmail(email);
  const throttle = signInThrottleOf(shop);
  const slot = await throttle.take(EMAIL_CODE_GUESSES_PER_ADDRESS, address);
  if (!slot.allowed) return { ok: false, reason: 'throttled', retryAfterMs: slot.retryAfterMs };
  const redeemed = /^[0-9]{6}$/.test(code.trim()) ? await emailCodesOf(shop).redeem('add_email', address, code.trim(), account.id) : null;
  if (redeemed === null) return { ok: false, reason: 'wrong_code' };
  await throttle.release(EMAIL_CODE_GUESSES_PER_ADDRESS, address);
  const moved = await moveEmail(shop, account, address);
  if (!moved.ok) return moved;
  await shop.storage.audit.append({
    actor: { type: 'customer', id: account.customerId },
    action: 'account.email_added',
    subjectType: 'customer',
    subjectId: account.customerId,
    data: { email: address },
  });
  return { ok: true };
}
