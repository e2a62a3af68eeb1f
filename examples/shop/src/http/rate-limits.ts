import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { ctxOf } from './context.js';
import { fixedWindowLimit } from './fixed-window-limit.js';
import { ShopError } from '../app/shop-error.js';
import { NEW_ACCOUNTS_PER_NETWORK } from '../app/auth/new-account-throttle.js';
import type { ThrottleRule } from '../db/sign-in-throttle.js';

export interface RateLimitSettings {
  /** Attempts per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimitOptions {
  signIn: RateLimitSettings;
  signUp: RateLimitSettings;
  checkout: RateLimitSettings;
  /** Requests to `/s/<token>` per address (client apps refresh every few hours; guessing needs millions). */
  subscriptionLink?: RateLimitSettings;
  /** Forgotten-password requests and reset-link uses per address. */
  passwordReset?: RateLimitSettings;
  /**
   * New accounts per network (IPv4 /24, IPv6 /64), counted in PostgreSQL across replicas, past which one more is
   * allowed every `thenOneEveryMs`; absent: not limited (the defaults limit it: {@link NEW_ACCOUNTS_PER_NETWORK}).
   */
  newAccountsPerNetwork?: RateLimitSettings & { thenOneEveryMs: number };
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  signIn: { limit: 10, windowMs: 15 * 60_000 },
  signUp: { limit: 5, windowMs: 60 * 60_000 },
  checkout: { limit: 20, windowMs: 10 * 60_000 },
  subscriptionLink: { limit: 60, windowMs: 10 * 60_000 },
  passwordReset: { limit: 10, windowMs: 15 * 60_000 },
  newAccountsPerNetwork: NEW_ACCOUNTS_PER_NETWORK,
};

export interface RateLimits {
  signIn: RequestHandler;
  signUp: RequestHandler;
  checkout: RequestHandler;
  subscriptionLink: RequestHandler;
  passwordReset: RequestHandler;
  /** The rule new accounts per network are counted under, or `null` (not limited). */
  newAccountsPerNetwork: ThrottleRule | null;
}

/**
 * Limits on the routes worth guessing or flooding. Counters live in this process: behind several
 * replicas each counts its own share (a shared store such as Redis would make them exact). Counted as
 * `express-rate-limit`'s memory store counts, with its draft-8 headers, without a promise per request
 * (`fixedWindowLimit`: the buyer's link passes one on every refresh).
 */
export function createRateLimits(
  options: RateLimitOptions = DEFAULT_RATE_LIMITS,
  /** Requests the checkout limit does not count (a replayed idempotency key: see `isCheckoutReplay`). */
  checkoutReplay: (req: Request, res: Response) => Promise<boolean> = async () => false,
): RateLimits {
  const limiter = (settings: RateLimitSettings, key: 'ip' | 'account', skip?: (req: Request, res: Response) => Promise<boolean>) =>
    fixedWindowLimit({
      ...(skip === undefined ? {} : { skip }),
      windowMs: settings.windowMs,
      limit: settings.limit,
      key: (req, res) => {
        const viewer = key === 'account' ? ctxOf(res).viewer : null;
        return viewer !== null ? `account:${viewer.account.id}` : ipKeyGenerator(req.ip ?? 'unknown');
      },
      refuse: (_req, _res, next) => next(new ShopError('too_many_requests', 'errors.tooManyAttempts')),
    });
  return {
    signIn: limiter(options.signIn, 'ip'),
    signUp: limiter(options.signUp, 'ip'),
    checkout: limiter(options.checkout, 'account', checkoutReplay),
    subscriptionLink: limiter(options.subscriptionLink ?? (DEFAULT_RATE_LIMITS.subscriptionLink as RateLimitSettings), 'ip'),
    passwordReset: limiter(options.passwordReset ?? (DEFAULT_RATE_LIMITS.passwordReset as RateLimitSettings), 'ip'),
    newAccountsPerNetwork: options.newAccountsPerNetwork === undefined ? null : { kind: 'new-account', ...options.newAccountsPerNetwork },
  };
}
