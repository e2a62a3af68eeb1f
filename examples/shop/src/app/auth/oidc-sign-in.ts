import { createHash } from 'node:crypto';
import type { Account } from '../../db/accounts.js';
import { emailCodesOf } from '../../db/email-codes.js';
import { oidcIdentitiesOf } from '../../db/oidc-identities.js';
import { EMAIL_CODE_GUESSES_PER_ADDRESS, signInThrottleOf } from '../../db/sign-in-throttle.js';
import type { Shop } from '../shop.js';
import { maskEmail } from './credentials.js';
import { sendEmailCode } from './email-codes.js';
import { authorizationUrl, callbackUrl, identityFromCallback, type LoginChecks, type ProviderIdentity } from './oidc-client.js';
import { oidcProvider } from './oidc-providers.js';
import { passwordlessBuyer } from './passwordless-accounts.js';
import type { NewAccountOrigin } from './new-account-origin.js';
import { isStaffRole } from './staff-roles.js';

/** How long a started sign-in (the trip to the provider and back) and a join waiting for its code may take. */
const LOGIN_TTL_MS = 15 * 60_000;

/** A sign-in under way, as its sealed cookie holds it. */
interface LoginState extends LoginChecks {
  provider: string;
  next: string;
  expiresAt: number;
  /** The callback address the provider was asked to come back to (absent in a state sealed before it was kept: the shown one's). */
  redirectUri?: string;
}

/** An identity waiting for the buyer to prove the existing account with its address theirs. */
export interface PendingJoin {
  provider: string;
  subject: string;
  /** The account's address (where the code goes). */
  email: string;
  accountId: string;
  expiresAt: number;
}

/** Why a sign-in with a provider did not sign anyone in. */
export type OidcRefusal =
  /** The provider's address is an existing account's and the provider said it did not verify it (or sent no flag): no takeover. */
  | 'unverified_email_taken'
  /** The identity leads to a staff account (staff sign in with password and second factor only). */
  | 'staff'
  /** The provider is not set up, the sign-in was not started here, expired, or the provider's answer failed a check. */
  | 'failed';

/** What a provider's callback came to. */
export type OidcOutcome =
  | { outcome: 'signed_in'; account: Account; created: boolean }
  | { outcome: 'confirm_join'; pending: PendingJoin; maskedEmail: string }
  | { outcome: 'refused'; reason: OidcRefusal }
  /** A new account was due but too many came from the network lately: nothing made, try again after `retryAfterMs`. */
  | { outcome: 'slowed'; retryAfterMs: number };

const LOGIN_CONTEXT = 'oidc.login';
const JOIN_CONTEXT = 'oidc.pending_join';

function sealed<T>(shop: Shop, value: T, context: string): string {
  return shop.secretBox.seal(JSON.stringify(value), context);
}

function opened<T extends { expiresAt: number }>(shop: Shop, value: unknown, context: string): T | null {
  if (typeof value !== 'string' || value.length > 4000) return null;
  try {
    const parsed = JSON.parse(shop.secretBox.open(value, context)) as T;
    return parsed.expiresAt > shop.clock.now().getTime() ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Starts a sign-in with a provider, coming back to `base` (the address it started on, whose host holds the cookie):
 * the provider's address to send the browser to, and the sealed checks for the callback (a cookie). `null`: no such
 * provider.
 */
export async function startOidcSignIn(
  shop: Shop,
  providerId: string,
  next: string,
  base: string,
): Promise<{ url: string; sealedState: string } | null> {
  const provider = await oidcProvider(shop, providerId);
  if (provider === null) return null;
  const redirectUri = callbackUrl(shop, provider.id, base);
  const { url, checks } = await authorizationUrl(shop, provider, redirectUri);
  const expiresAt = shop.clock.now().getTime() + LOGIN_TTL_MS;
  const state: LoginState = { ...checks, provider: provider.id, next, expiresAt, redirectUri };
  return { url, sealedState: sealed(shop, state, LOGIN_CONTEXT) };
}

/** The address-less email an identity without a usable address gets (reaches nobody, RFC 2606). */
function placeholderEmail(identity: ProviderIdentity): string {
  const digest = createHash('sha256').update(`${identity.provider}|${identity.subject}`).digest('hex').slice(0, 24);
  return `oidc-${digest}@oidc.invalid`;
}

/**
 * The provider's callback. The identity (checked by openid-client: state, PKCE, nonce and ID token) signs in to:
 * the account it is joined to; else the signed-in buyer's own (connecting a provider from the cabinet); else, when
 * the provider verified an address that an account holds (or is a preset that sends no verification flag: Yandex
 * ID, VK ID), nothing yet: the buyer must prove that account theirs by the code mailed to it ({@link sendJoinCode},
 * {@link confirmJoin}); an address a standard provider did not verify is refused (no takeover); else a new buyer
 * account (at the verified address, or a placeholder one). Staff accounts are never opened this way.
 */
export async function finishOidcSignIn(
  shop: Shop,
  input: {
    providerId: string;
    query: URLSearchParams;
    sealedState: unknown;
    signedIn: Account | null;
    locale: string;
    /** Where a new account would come from (its network's limit, its storefront). */
    origin: NewAccountOrigin;
  },
): Promise<OidcOutcome & { next: string }> {
  const state = opened<LoginState>(shop, input.sealedState, LOGIN_CONTEXT);
  const provider = await oidcProvider(shop, input.providerId);
  const next = state?.next ?? '/dashboard';
  if (state === null || provider === null || state.provider !== provider.id) return { outcome: 'refused', reason: 'failed', next };
  let identity: ProviderIdentity;
  try {
    identity = await identityFromCallback(shop, provider, input.query, state, state.redirectUri ?? callbackUrl(shop, provider.id));
  } catch (error) {
    shop.logger.warn({ component: 'oidc', provider: provider.id, err: error }, 'sign-in with a provider failed');
    return { outcome: 'refused', reason: 'failed', next };
  }
  return { ...(await landIdentity(shop, identity, input.signedIn, input.locale, input.origin)), next };
}

async function landIdentity(
  shop: Shop,
  identity: ProviderIdentity,
  signedIn: Account | null,
  locale: string,
  origin: NewAccountOrigin,
): Promise<OidcOutcome> {
  const identities = oidcIdentitiesOf(shop);
  const joined = await identities.find(identity.provider, identity.subject);
  if (joined !== null) {
    const account = await shop.accounts.get(joined.accountId);
    if (account === null || isStaffRole(account.role)) return { outcome: 'refused', reason: 'staff' };
    return { outcome: 'signed_in', account, created: false };
  }
  if (signedIn !== null) {
    if (isStaffRole(signedIn.role)) return { outcome: 'refused', reason: 'staff' };
    return { outcome: 'signed_in', account: await join(shop, identity, signedIn, 'cabinet'), created: false };
  }
  const holder = identity.email === null ? null : await shop.accounts.getByEmail(identity.email);
  if (holder !== null) {
    if (!identity.joinByCode) return { outcome: 'refused', reason: 'unverified_email_taken' };
    if (isStaffRole(holder.role)) return { outcome: 'refused', reason: 'staff' };
    const pending: PendingJoin = {
      provider: identity.provider,
      subject: identity.subject,
      email: holder.email,
      accountId: holder.id,
      expiresAt: shop.clock.now().getTime() + LOGIN_TTL_MS,
    };
    return { outcome: 'confirm_join', pending, maskedEmail: maskEmail(holder.email) };
  }
  const email = identity.email !== null && identity.emailVerified ? identity.email : placeholderEmail(identity);
  const made = await passwordlessBuyer(shop, email, locale, 'oidc', origin);
  if (!made.ok) return { outcome: 'slowed', retryAfterMs: made.retryAfterMs };
  const { account } = made;
  if (isStaffRole(account.role)) return { outcome: 'refused', reason: 'staff' };
  return { outcome: 'signed_in', account: await join(shop, identity, account, 'sign_up'), created: true };
}

/** Joins the identity to the account (the one it is joined to already wins a race) and audits it; the account it signs in to. */
async function join(shop: Shop, identity: ProviderIdentity, account: Account, via: 'cabinet' | 'sign_up' | 'email_code'): Promise<Account> {
  const accountId = await oidcIdentitiesOf(shop).join({
    provider: identity.provider,
    subject: identity.subject,
    accountId: account.id,
    email: identity.email,
  });
  const landed = accountId === account.id ? account : await shop.accounts.get(accountId);
  if (landed === null) throw new Error(`the identity is joined to a missing account ${accountId}`);
  if (accountId === account.id)
    await shop.storage.audit.append({
      actor: { type: 'customer', id: account.customerId },
      action: 'account.sign_in_provider_joined',
      subjectType: 'customer',
      subjectId: account.customerId,
      data: { provider: identity.provider, via },
    });
  return landed;
}

/** The pending join as its sealed cookie holds it, for the confirmation pages. */
export function sealPendingJoin(shop: Shop, pending: PendingJoin): string {
  return sealed(shop, pending, JOIN_CONTEXT);
}

/** The pending join of a cookie; `null` when absent, forged or expired. */
export function openPendingJoin(shop: Shop, value: unknown): PendingJoin | null {
  return opened<PendingJoin>(shop, value, JOIN_CONTEXT);
}

/** Sends the code that proves the existing account's mailbox the buyer's (bound to that account and that identity). */
export async function sendJoinCode(shop: Shop, pending: PendingJoin, locale: string): Promise<void> {
  await sendEmailCode(shop, {
    purpose: 'join',
    email: pending.email,
    locale,
    accountId: pending.accountId,
    subject: `${pending.provider}|${pending.subject}`,
  });
}

/**
 * The code from the existing account's mailbox: the identity joins that account and signs in to it. Guesses count
 * against the address like sign-in codes; a code issued for another identity does not join this one.
 */
export async function confirmJoin(
  shop: Shop,
  pending: PendingJoin,
  code: string,
): Promise<{ ok: true; account: Account } | { ok: false; reason: 'wrong_code' | 'throttled' | 'staff'; retryAfterMs?: number }> {
  const throttle = signInThrottleOf(shop);
  const slot = await throttle.take(EMAIL_CODE_GUESSES_PER_ADDRESS, pending.email);
  if (!slot.allowed) return { ok: false, reason: 'throttled', retryAfterMs: slot.retryAfterMs };
  const redeemed = /^[0-9]{6}$/.test(code.trim())
    ? await emailCodesOf(shop).redeem('join', pending.email, code.trim(), pending.accountId)
    : null;
  if (redeemed === null || redeemed.subject !== `${pending.provider}|${pending.subject}`) return { ok: false, reason: 'wrong_code' };
  await throttle.release(EMAIL_CODE_GUESSES_PER_ADDRESS, pending.email);
  const account = await shop.accounts.get(pending.accountId);
  if (account === null || isStaffRole(account.role)) return { ok: false, reason: 'staff' };
  const identity: ProviderIdentity = {
    provider: pending.provider,
    subject: pending.subject,
    email: pending.email,
    emailVerified: true,
    joinByCode: true,
  };
  const landed = await join(shop, identity, account, 'email_code');
  return isStaffRole(landed.role) ? { ok: false, reason: 'staff' } : { ok: true, account: landed };
}
