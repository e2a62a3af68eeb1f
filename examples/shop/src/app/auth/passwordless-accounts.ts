import type { Account } from '../../db/accounts.js';
import type { Shop } from '../shop.js';
import { customerFor } from './accounts.js';
import { admitNewAccount, type NewAccountOrigin } from './new-account-origin.js';

/**
 * Marks an account made without a password (by an e-mailed code or a sign-in provider): no password opens it until
 * the buyer sets one through "Forgot password?".
 */
export const NO_PASSWORD_YET = '!passwordless';

/** The reserved domain of addresses that reach nobody (RFC 2606): Telegram-made and provider-made accounts' emails. */
export function isPlaceholderEmail(email: string): boolean {
  return email.endsWith('.invalid');
}

/** A passwordless account made or found, or the origin's network slowed (nothing made). */
export type PasswordlessBuyer = { ok: true; account: Account } | { ok: false; retryAfterMs: number };

/**
 * A buyer's account for `email`, made now without a password (sign-up by e-mail code, or a sign-in provider's
 * identity), on the engine customer the address already has (one a bot made) or a new one (the buyer of the
 * `origin`'s storefront). The caller has proven the address or identity is the visitor's, so only a new account takes
 * a slot of the origin's network; past the limit nothing is made. Two at once: the loser takes the winner's account.
 */
export async function passwordlessBuyer(
  shop: Shop,
  email: string,
  locale: string,
  via: 'email_code' | 'oidc',
  origin: NewAccountOrigin,
): Promise<PasswordlessBuyer> {
  const held = await shop.accounts.getByEmail(email);
  if (held !== null) return { ok: true, account: held };
  const slot = await admitNewAccount(shop, origin);
  if (!slot.allowed) return { ok: false, retryAfterMs: slot.retryAfterMs };
  return { ok: true, account: await admittedPasswordlessBuyer(shop, email, locale, via, origin.storefrontId) };
}

/**
 * {@link passwordlessBuyer} once the caller has taken the network's slot (`admitNewAccount`): the address's account,
 * made now when it has none, as the buyer of the storefront `storefrontId` (`null`: the owner's shop).
 */
export async function admittedPasswordlessBuyer(
  shop: Shop,
  email: string,
  locale: string,
  via: 'email_code' | 'oidc',
  storefrontId: string | null,
): Promise<Account> {
  const held = await shop.accounts.getByEmail(email);
  if (held !== null) return held;
  const customer = await customerFor(shop, email, locale, storefrontId);
  const created = await shop.accounts.create({ email, passwordHash: NO_PASSWORD_YET, customerId: customer.id, role: 'buyer' });
  if (created !== null) {
    await shop.storage.audit.append({
      actor: { type: 'customer', id: customer.id },
      action: 'account.created',
      subjectType: 'customer',
      subjectId: customer.id,
      data: { role: created.role, via },
    });
    return created;
  }
  const winner = (await shop.accounts.getByEmail(email)) ?? (await shop.accounts.getByCustomer(customer.id));
  if (winner === null) throw new Error(`no account could be made for ${via} sign-up`);
  return winner;
}
