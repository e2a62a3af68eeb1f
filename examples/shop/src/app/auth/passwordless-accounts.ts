import type { Account } from '../../db/accounts.js';
import type { Shop } from '../shop.js';
import { customerFor } from './accounts.js';

/**
 * Marks an account made without a password (by an e-mailed code or a sign-in provider): no password opens it until
 * the buyer sets one through "Forgot password?".
 */
export const NO_PASSWORD_YET = '!passwordless';

/** The reserved domain of addresses that reach nobody (RFC 2606): Telegram-made and provider-made accounts' emails. */
export function isPlaceholderEmail(email: string): boolean {
  return email.endsWith('.invalid');
}

/**
 * A buyer's account for `email`, made now without a password (sign-up by e-mail code, or a sign-in provider's
 * identity), on the engine customer the address already has (one a bot made) or a new one. Two at once: the loser
 * takes the winner's account.
 */
export async function passwordlessBuyer(shop: Shop, email: string, locale: string, via: 'email_code' | 'oidc'): Promise<Account> {
  const customer = await customerFor(shop, email, locale);
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
