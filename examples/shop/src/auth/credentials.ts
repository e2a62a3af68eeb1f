import { ConflictError } from '@panelkit/sdk';
import { hashToken } from '../db/sessions.js';
import type { Account } from '../db/accounts.js';
import type { Shop } from '../stack/shop.js';
import { hashPassword, verifyPassword } from './password.js';

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
  await shop.db.transaction(async (db) => {
    await db.query(`UPDATE ${shop.shopSchema}.accounts SET password_hash = $2 WHERE id = $1`, [account.id, passwordHash]);
    await db.query(`DELETE FROM ${shop.shopSchema}.sessions WHERE account_id = $1 AND token_hash <> $2`, [
      account.id,
      input.keepSessionToken === null ? '' : hashToken(input.keepSessionToken),
    ]);
  });
  await audit(shop, account, 'account.password_changed', {});
  return { ok: true };
}

/** Moves the account (and its engine customer) to a new email, lower-cased, when the password is right and the email is free. */
export async function changeEmail(
  shop: Shop,
  account: Account,
  input: { password: string; email: string },
): Promise<{ ok: true } | { ok: false; reason: CredentialRefusal }> {
  if (!(await verifyPassword(input.password, account.passwordHash))) return { ok: false, reason: 'wrong_password' };
  const email = input.email.toLowerCase();
  if (email === account.email) return { ok: true };
  // A customer a bot made with this email, without an account, holds it too: the engine's customers are unique by email.
  const holder = await shop.storage.customers.getByEmail(email);
  if (holder !== null && holder.id !== account.customerId) return { ok: false, reason: 'email_taken' };
  const { rows } = await shop.db
    .query(
      `UPDATE ${shop.shopSchema}.accounts SET email = $2 WHERE id = $1
       AND NOT EXISTS (SELECT 1 FROM ${shop.shopSchema}.accounts WHERE email = $2) RETURNING 1`,
      [account.id, email],
    )
    .catch((error: unknown) => {
      // Two changes to one email at once: the unique index lets one win.
      if ((error as { code?: string }).code === '23505') return { rows: [] };
      throw error;
    });
  if (rows.length === 0) return { ok: false, reason: 'email_taken' };
  try {
    await shop.storage.customers.update(account.customerId, { email });
  } catch (error) {
    // The engine refused (a customer took the email meanwhile): the account keeps its old email, so the two stay in step.
    await shop.db.query(`UPDATE ${shop.shopSchema}.accounts SET email = $2 WHERE id = $1`, [account.id, account.email]);
    if (ConflictError.is(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
  await audit(shop, account, 'account.email_changed', { from: account.email, to: email });
  return { ok: true };
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
