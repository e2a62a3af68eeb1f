import type { Account } from '../../db/accounts.js';
import { emailCodesOf } from '../../db/email-codes.js';
import { EMAIL_CODE_GUESSES_PER_ADDRESS, signInThrottleOf } from '../../db/sign-in-throttle.js';
import type { Shop } from '../shop.js';
import { sendEmailCode } from './email-codes.js';
import { admittedPasswordlessBuyer, isPlaceholderEmail } from './passwordless-accounts.js';
import { isStaffRole } from './staff-roles.js';
import { admitNewAccount, type NewAccountOrigin } from './new-account-origin.js';

/** An e-mail code sign-in's outcome: the account, a wrong or spent code, or a guess not judged and when one may be. */
export type CodeSignIn =
  | { outcome: 'signed_in'; account: Account; created: boolean }
  | { outcome: 'wrong' }
  | { outcome: 'throttled'; retryAfterMs: number }
  /** The code was right but no account is made: too many new accounts from the network; the code stays live for later. */
  | { outcome: 'slowed'; retryAfterMs: number };

/** An address as codes are keyed: trimmed, lower-cased. */
export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A buyer asks for a sign-in code. A code goes to the address whether or not it has an account (a right code then
 * signs it up: sign-up by code), so the answer, always the same, says nothing about which addresses have accounts.
 * Staff accounts keep their password and second factor: no code is sent to a staff address (the answer is the same).
 */
export async function requestSignInCode(shop: Shop, email: string, locale: string): Promise<void> {
  const address = normalEmail(email);
  if (isPlaceholderEmail(address)) return;
  const account = await shop.accounts.getByEmail(address);
  if (account !== null && isStaffRole(account.role)) return;
  await sendEmailCode(shop, { purpose: 'sign_in', email: address, locale });
}

/**
 * Judges a sign-in code under the guess limit of its address ({@link EMAIL_CODE_GUESSES_PER_ADDRESS}: the slot is taken
 * before the code is judged, so racing guesses cannot pass it together). A right code signs in the address's account,
 * or makes one (sign-up by code, no password; under the `origin`'s network limit, as the origin's storefront's
 * buyer); a staff account is never opened by a code. The code is spent only with the network's slot for a new
 * account, in one transaction: a right code the limit slows stays live, to be sent again once the wait is over.
 */
export async function signInWithCode(
  shop: Shop,
  email: string,
  code: string,
  locale: string,
  origin: NewAccountOrigin,
): Promise<CodeSignIn> {
  const address = normalEmail(email);
  const throttle = signInThrottleOf(shop);
  const slot = await throttle.take(EMAIL_CODE_GUESSES_PER_ADDRESS, address);
  if (!slot.allowed) return { outcome: 'throttled', retryAfterMs: slot.retryAfterMs };
  if (!/^[0-9]{6}$/.test(code.trim())) return { outcome: 'wrong' };
  const codes = emailCodesOf(shop);
  const existing = await shop.accounts.getByEmail(address);
  const redeemed =
    existing === null
      ? await codes.redeemAdmitted('sign_in', address, code.trim(), (db) => admitNewAccount(shop, origin, db))
      : await codes.redeem('sign_in', address, code.trim());
  if (redeemed === null) return { outcome: 'wrong' };
  await throttle.release(EMAIL_CODE_GUESSES_PER_ADDRESS, address);
  if ('refused' in redeemed) return { outcome: 'slowed', retryAfterMs: redeemed.retryAfterMs };
  if (existing !== null)
    return isStaffRole(existing.role) ? { outcome: 'wrong' } : { outcome: 'signed_in', account: existing, created: false };
  const account = await admittedPasswordlessBuyer(shop, address, locale, 'email_code', origin.storefrontId);
  return { outcome: 'signed_in', account, created: true };
}
