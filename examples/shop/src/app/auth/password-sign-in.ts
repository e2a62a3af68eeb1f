import {
  PASSWORD_GUESSES,
  PASSWORD_GUESSES_PER_ADDRESS,
  PASSWORD_GUESSES_PER_DEVICE,
  signInThrottleOf,
} from '../../db/sign-in-throttle.js';
import type { Account } from '../../db/accounts.js';
import type { Shop } from '../shop.js';
import { signIn } from './accounts.js';

/** Where a password guess comes from. */
export interface GuessSource {
  /** The client's address (as the proxy settings tell it). */
  address: string;
  /** The browser's known-device id for this email (a browser that signed in to it before), or null. */
  deviceId: string | null;
}

/** A password sign-in's outcome: the account, a wrong guess, or a guess not judged and when one may be. */
export type PasswordSignIn =
  | { outcome: 'signed_in'; account: Account }
  | { outcome: 'wrong' }
  | { outcome: 'throttled'; retryAfterMs: number };

/**
 * Judges a password sign-in under the guess limits. A browser that signed in to the account before has a budget of
 * its own ({@link PASSWORD_GUESSES_PER_DEVICE}); any other guess is limited per address (a wall for that address)
 * and per account over every address (past the limit a delay, one guess every 30 s, never a wall). So a stranger
 * guessing from many addresses is slowed to a crawl, and the holder still signs in: at once from a browser they used
 * before, after at most one delay from a new one. Each slot is taken before the password is judged, so guesses
 * racing on several replicas cannot pass a limit together; a right password clears its address's or browser's window.
 */
export async function signInWithPassword(shop: Shop, email: string, password: string, source: GuessSource): Promise<PasswordSignIn> {
  const throttle = signInThrottleOf(shop);
  const subject = email.trim().toLowerCase();
  const own =
    source.deviceId === null
      ? { rule: PASSWORD_GUESSES_PER_ADDRESS, subject: `${subject}|${source.address}` }
      : { rule: PASSWORD_GUESSES_PER_DEVICE, subject: `${subject}|${source.deviceId}` };
  const first = await throttle.take(own.rule, own.subject);
  if (!first.allowed) return { outcome: 'throttled', retryAfterMs: first.retryAfterMs };
  if (source.deviceId === null) {
    const accountWide = await throttle.take(PASSWORD_GUESSES, subject);
    if (!accountWide.allowed) {
      await throttle.release(own.rule, own.subject);
      return { outcome: 'throttled', retryAfterMs: accountWide.retryAfterMs };
    }
  }
  const account = await signIn(shop, email, password);
  if (account === null) {
    const customerId = (await shop.accounts.getByEmail(subject))?.customerId ?? null;
    // The holder is told once per window of the account-wide count (a known browser's own mistakes tell no one).
    if (source.deviceId === null) await throttle.noteFailure(PASSWORD_GUESSES, subject, customerId);
    return { outcome: 'wrong' };
  }
  // The account-wide window only gets its slot back: the holder signing in does not stop a stranger guessing.
  await throttle.clear(own.rule, own.subject);
  if (source.deviceId === null) await throttle.release(PASSWORD_GUESSES, subject);
  return { outcome: 'signed_in', account };
}
