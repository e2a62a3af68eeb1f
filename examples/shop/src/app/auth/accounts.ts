import { ConflictError, type Customer } from '@panelkit/sdk';
import type { Account, AccountRole } from '../../db/accounts.js';
import type { Shop } from '../shop.js';
import { dummyHash, hashPassword, verifyPassword } from './password.js';

/** The engine's customer for an email: the existing one (a customer made by a bot, or a sign-up cut short), else a new one. */
export async function customerFor(shop: Shop, email: string, locale: string): Promise<Customer> {
  const existing = await shop.storage.customers.getByEmail(email);
  if (existing !== null) return existing;
  try {
    return await shop.kit.customers.create({ email, locale });
  } catch (error) {
    // Two sign-ups with one email at once: the loser uses the winner's customer (and then loses on the account).
    const winner = ConflictError.is(error) ? await shop.storage.customers.getByEmail(email) : null;
    if (winner === null) throw error;
    return winner;
  }
}

export type SignUpResult = { ok: true; account: Account } | { ok: false; reason: 'email_taken' };

export async function signUp(
  shop: Shop,
  input: { email: string; password: string; locale: string; role?: AccountRole },
): Promise<SignUpResult> {
  const email = input.email.toLowerCase();
  if ((await shop.accounts.getByEmail(email)) !== null) return { ok: false, reason: 'email_taken' };
  const passwordHash = await hashPassword(input.password, shop.passwordCost);
  const customer = await customerFor(shop, email, input.locale);
  const account = await shop.accounts.create({ email, passwordHash, customerId: customer.id, role: input.role ?? 'buyer' });
  if (account === null) return { ok: false, reason: 'email_taken' };
  await shop.storage.audit.append({
    actor: { type: 'customer', id: customer.id },
    action: 'account.created',
    subjectType: 'customer',
    subjectId: customer.id,
    data: { role: account.role },
  });
  return { ok: true, account };
}

/** The account when the password matches; the same time is spent whether or not the email exists. */
export async function signIn(shop: Shop, email: string, password: string): Promise<Account | null> {
  const account = await shop.accounts.getByEmail(email);
  if (account === null) {
    await verifyPassword(password, await dummyHash(shop.passwordCost));
    return null;
  }
  return (await verifyPassword(password, account.passwordHash)) ? account : null;
}

/**
 * The shop's first owner (ADMIN_EMAIL/ADMIN_PASSWORD, or the demo admin): an admin account with this email and
 * password is created when no account has this email, by whichever process starting at that moment gets there
 * first (the others read its account). An account that exists is returned as it is, never changed: its password
 * is the one its owner set in the shop (a forgotten one goes through the password reset), and its role the one
 * an owner gave it, so whoever reads `.env` later does not hold the owner's keys.
 */
export async function ensureAdmin(shop: Shop, email: string, password: string): Promise<Account> {
  const existing = await shop.accounts.getByEmail(email);
  if (existing !== null) return existing;
  const created = await signUp(shop, { email, password, locale: 'en', role: 'admin' });
  if (created.ok) return created.account;
  // Another process created it between the read and the write.
  const winner = await shop.accounts.getByEmail(email);
  if (winner === null) throw new Error(`could not create admin ${email}`);
  return winner;
}
