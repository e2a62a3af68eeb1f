import { ConflictError } from '@panelkit/sdk';
import { moveAccountEmail, replacePassword } from '../../db/credentials.js';
import type { Account } from '../../db/accounts.js';
import type { Shop } from '../shop.js';
import { writeNotification } from '../../db/notifications.js';
import { hashPassword, verifyPassword } from './password.js';
import { isPlaceholderEmail } from './passwordless-accounts.js';

/** Why a change of password or email was refused. */
export type CredentialRefusal = 'wrong_password' | 'email_taken';

/** Changes the password when the current one is right; every other session of the account is signed out. */
export async function changePassword(
  shop: Shop,
  account: Account,
  input: { current: string; next: string; keepSessionToken: string | null },
): Promise<{ ok: true } | { ok: false; reason: CredentialRefusal }> {
  if (!(await verifyPassword(input.current, account.passwordHash))) return { ok: false, reason: 'wrong_password' };
  const passwordHash = await hashPassword(input.next, shop.passwordCost);
  await replacePassword(shop.db, shop.shopSchema, { accountId: account.id, passwordHash, keepSessionToken: input.keepSessionToken });
  await audit(shop, account, 'account.password_changed', {});
  return { ok: true };
}

/**
 * Moves the account (and its engine customer) to a new email, lower-cased, when the password is right and the email is
 * free. The old address is told (`email_changed`, the new address masked), so a taken-over account does not go quietly.
 */
export async function changeEmail(
  shop: Shop,
  account: Account,
  input: { password: string; email: string },
): Promise<{ ok: true } | { ok: false; reason: CredentialRefusal }> {
  if (!(await verifyPassword(input.password, account.passwordHash))) return { ok: false, reason: 'wrong_password' };
  return moveEmail(shop, account, input.email);
}

/**
 * Moves the account (and its engine customer) to `email`, lower-cased, when the email is free; the caller has proved
 * the buyer's right to do so (the password, or a code sent to the new address). The old address is told, unless it
 * is a placeholder that reaches nobody.
 */
export async function moveEmail(
  shop: Shop,
  account: Account,
  newEmail: string,
): Promise<{ ok: true } | { ok: false; reason: 'email_taken' }> {
  const email = newEmail.toLowerCase();
  if (email === account.email) return { ok: true };
  // A customer a bot made with this email, without an account, holds it too: the engine's customers are unique by email.
  const holder = await shop.storage.customers.getByEmail(email);
  if (holder !== null && holder.id !== account.customerId) return { ok: false, reason: 'email_taken' };
  // The engine's customer first (unique by email), then the account with the notice to the old address in one
  // transaction: the old address hears of the change exactly when it commits.
  try {
    await shop.storage.customers.update(account.customerId, { email });
  } catch (error) {
    if (ConflictError.is(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
  const changed = await shop.storage
    .transaction(async (tx) => {
      if (!(await moveAccountEmail(tx, shop.shopSchema, account.id, email))) return false;
      if (isPlaceholderEmail(account.email)) return true;
      const at = shop.clock.now();
      await writeNotification(tx, shop.shopSchema, at, {
        recipient: { kind: 'customer', customerId: account.customerId },
        kind: 'email_changed',
        source: `email-change:${account.id}:${at.toISOString()}`,
        params: { newEmail: maskEmail(email), previousEmail: account.email },
      });
      return true;
    })
    .catch((error: unknown) => {
      // Two changes to one email at once: the unique index lets one win (the storage says so with a ConflictError).
      if (ConflictError.is(error) || (error as { code?: string }).code === '23505') return false;
      throw error;
    });
  if (!changed) {
    // The account keeps its old email, so the engine's customer goes back to it: the two stay in step.
    await shop.storage.customers.update(account.customerId, { email: account.email });
    return { ok: false, reason: 'email_taken' };
  }
  await audit(shop, account, 'account.email_changed', { from: account.email, to: email });
  return { ok: true };
}

/** An email as a notice may show it to whoever reads the old mailbox: `n***@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email.slice(0, 1)}***${email.slice(at)}`;
}

async function audit(shop: Shop, account: Account, action: string, data: Record<string, string>): Promise<void> {
  await shop.storage.audit.append({
    actor: { type: 'customer', id: account.customerId },
    action,
    subjectType: 'customer',
    subjectId: account.customerId,
    data,
  });
}
