import type { Actor } from '@panelkit/sdk';
import type { Account } from '../../db/accounts.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { signUp } from './accounts.js';

/** Why a staff invitation was refused (each an i18n key the owner's form shows on its field). */
export type StaffAddRefusal =
  | { field: 'password'; message: 'staff.errors.passwordForNew' | 'staff.errors.existingAccount' }
  | { field: 'email'; message: 'auth.emailTaken' | 'staff.errors.alreadyStaff' };

/** The role change and its `staff.role_changed` entry, in one transaction; false when the account no longer has role `from`. */
async function changeRole(shop: Shop, account: Account, from: Account['role'], to: Account['role'], actor: Actor): Promise<boolean> {
  return shop.storage.transaction(async (tx) => {
    if (!(await shop.accounts.changeRole(tx, account.id, from, to))) return false;
    await tx.audit.append({
      actor,
      action: 'staff.role_changed',
      subjectType: 'customer',
      subjectId: account.customerId,
      data: { email: account.email, role: to },
    });
    return true;
  });
}

/**
 * Makes someone support staff: an existing buyer is promoted (no password: one here would silently replace the
 * buyer's own), an unknown email is invited as a new account with this first password (made a buyer, then
 * promoted). The role and its audit entry are written in one transaction. Refusals change nothing.
 */
export async function addSupportStaff(
  shop: Shop,
  input: { email: string; password: string; locale: string },
  actor: Actor,
): Promise<{ ok: true; account: Account } | { ok: false; refusal: StaffAddRefusal }> {
  let account = await shop.accounts.getByEmail(input.email);
  if (account === null) {
    if (input.password === '') return { ok: false, refusal: { field: 'password', message: 'staff.errors.passwordForNew' } };
    const created = await signUp(shop, { email: input.email, password: input.password, locale: input.locale });
    if (!created.ok) return { ok: false, refusal: { field: 'email', message: 'auth.emailTaken' } };
    account = created.account;
  } else {
    if (account.role !== 'buyer') return { ok: false, refusal: { field: 'email', message: 'staff.errors.alreadyStaff' } };
    if (input.password !== '') return { ok: false, refusal: { field: 'password', message: 'staff.errors.existingAccount' } };
  }
  if (!(await changeRole(shop, account, 'buyer', 'support', actor)))
    return { ok: false, refusal: { field: 'email', message: 'staff.errors.alreadyStaff' } };
  return { ok: true, account: { ...account, role: 'support' } };
}

/**
 * Makes a support member a buyer again, the role and its audit entry in one transaction. Only support staff:
 * an owner cannot be removed this way (nor lock the shop out); anyone else is `not_found`.
 */
export async function demoteSupportStaff(shop: Shop, accountId: string, actor: Actor): Promise<void> {
  const account = await shop.accounts.get(accountId);
  if (account === null || account.role !== 'support' || !(await changeRole(shop, account, 'support', 'buyer', actor)))
    throw new ShopError('not_found', 'errors.notFound');
}

/**
 * A support member's second factor reset (a lost phone): their sessions end and their next sign-in enrols a new
 * one, audited as `staff.totp_reset`. Only support staff (`not_found` otherwise); an owner who lost theirs uses a
 * recovery code.
 */
export async function resetStaffSecondFactor(shop: Shop, accountId: string, actor: Actor): Promise<void> {
  const account = await shop.accounts.get(accountId);
  if (account === null || account.role !== 'support') throw new ShopError('not_found', 'errors.notFound');
  const had = await shop.staffTotp.reset(account.id);
  await shop.sessions.destroyAll(account.id);
  await shop.storage.audit.append({
    actor,
    action: 'staff.totp_reset',
    subjectType: 'customer',
    subjectId: account.customerId,
    data: { email: account.email, hadSecondFactor: had },
  });
}
