import { ConflictError, type Customer } from '@panelkit/sdk';
import type { Account, AccountRole } from '../../db/accounts.js';
import type { Shop } from '../shop.js';
import { dummyHash, hashPassword, verifyPassword } from './password.js';
import { admitNewAccount, type NewAccountOrigin } from './new-account-origin.js';

/**
 * The one place the web makes an engine customer: the existing one for the email (a customer made by a bot, or a
 * sign-up cut short; never moved to another storefront), else a new one, the buyer of `storefrontId` when the
 * visitor came through that storefront's web address (`null`: the owner's).
 */
export async function customerFor(shop: Shop, email: string, locale: string, storefrontId: string | null = null): Promise<Customer> {
  const existing = await shop.storage.customers.getByEmail(email);
  if (existing !== null) return existing;
  try {
    return await shop.kit.customers.create({ email, locale, ...(storefrontId === null ? {} : { storefrontId }) });
  } catch (error) {
    // Two sign-ups with one email at once: the loser uses the winner's customer (and then loses on the account).
    const winner = ConflictError.is(error) ? await shop.storage.customers.getByEmail(email) : null;
    if (winner === null) throw error;
    return winner;
  }
}

export type SignUpResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'email_taken' }
  /** Too many new accounts from the origin's network: wait `retryAfterMs` (said before the email is looked at). */
  | { ok: false; reason: 'slowed'; retryAfterMs: number };

/**
 * A password account and its customer. A visitor's sign-up on the web passes its `origin`: the network's slot is
 * taken first, whether or not the email has an account (so a refusal says nothing of it), and a new customer is the
 * origin's storefront's. Without `origin` (the owner adding staff, tests) nothing is counted.
 */
export async function signUp(
  shop: Shop,
  input: { email: string; password: string; locale: string; role?: AccountRole; origin?: NewAccountOrigin },
): Promise<SignUpResult> {
  const email = input.email.toLowerCase();
  if (input.origin !== undefined) {
    const slot = await admitNewAccount(shop, input.origin);
    if (!slot.allowed) return { ok: false, reason: 'slowed', retryAfterMs: slot.retryAfterMs };
  }
  if ((await shop.accounts.getByEmail(email)) !== null) return { ok: false, reason: 'email_taken' };
  const passwordHash = await hashPassword(input.password, shop.passwordCost);
  const customer = await customerFor(shop, email, input.locale, input.origin?.storefrontId ?? null);
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

/** What a start did about the first owner: made it, or why not (nothing was changed then). */
export type FirstOwnerResult =
  | { made: true; account: Account }
  /** The shop has an owner (any `admin` account, whatever its email): the settings are not used. */
  | { made: false; reason: 'owner_exists' }
  /** The shop has no owner, but an account that is not an owner holds this email: it is left as it is. */
  | { made: false; reason: 'email_taken'; account: Account };

/**
 * The shop's first owner (ADMIN_EMAIL/ADMIN_PASSWORD, or the demo admin): an admin account with this email and
 * password is created only while the shop has no owner at all, by whichever process starting at that moment gets
 * there first (the others find the owner it made). Once the shop has an owner, these settings open nothing: the
 * owner may change the account's password and email in the shop, and no restart makes a second owner from the
 * old settings. No existing account is ever changed (not its password, not its role).
 */
export async function ensureFirstOwner(shop: Shop, email: string, password: string): Promise<FirstOwnerResult> {
  const address = email.toLowerCase();
  if ((await shop.accounts.ownerEmails()).length > 0) return { made: false, reason: 'owner_exists' };
  const holder = await shop.accounts.getByEmail(address);
  if (holder !== null)
    // An owner made by another process since the first read holds it too.
    return holder.role === 'admin' ? { made: false, reason: 'owner_exists' } : { made: false, reason: 'email_taken', account: holder };
  const passwordHash = await hashPassword(password, shop.passwordCost);
  const customer = await customerFor(shop, address, 'en');
  const account = await shop.storage.transaction(async (tx) => {
    const created = await shop.accounts.createFirstOwner(tx, { email: address, passwordHash, customerId: customer.id });
    if (created === null) return null;
    await tx.audit.append({
      actor: { type: 'customer', id: customer.id },
      action: 'account.created',
      subjectType: 'customer',
      subjectId: customer.id,
      data: { role: created.role },
    });
    return created;
  });
  if (account !== null) return { made: true, account };
  // Another process was first (the owner exists now), or an account took this email meanwhile.
  if ((await shop.accounts.ownerEmails()).length > 0) return { made: false, reason: 'owner_exists' };
  const taken = await shop.accounts.getByEmail(address);
  if (taken === null) throw new Error(`could not create the first owner ${address}`);
  return { made: false, reason: 'email_taken', account: taken };
}
