import type { Request, Response } from 'express';
import type { NewAccountOrigin } from '../app/auth/new-account-origin.js';
import { networkOf } from '../app/auth/new-account-throttle.js';
import type { Shop } from '../app/shop.js';
import { ctxOf } from './context.js';
import type { RateLimits } from './rate-limits.js';
import { forgetArrivalStorefront } from './storefront-arrival.js';

/**
 * Where an account this request may make comes from: the caller's network under the shop's new-accounts limit, and
 * the storefront a visitor came through (a signed-in caller's new account is nobody's storefront's: never moved).
 */
export function newAccountOriginOf(req: Request, res: Response, limits: RateLimits): NewAccountOrigin {
  return { network: networkOf(req.ip), rule: limits.newAccountsPerNetwork, storefrontId: newAccountStorefrontOf(res) };
}

/**
 * The storefront whose buyer an account this request makes becomes, on every way in (password, e-mailed code,
 * identity provider, the Mini App): the one a visitor sees the site through (its host name, else the `/store/<slug>`
 * this browser opened last); `null` for the owner's shop, and for a signed-in caller (never moved).
 */
export function newAccountStorefrontOf(res: Response): string | null {
  const ctx = ctxOf(res);
  return ctx.viewer === null ? (ctx.storefront?.id ?? null) : null;
}

/** The 429 of a slowed sign-up: `Retry-After` set, and the message (which names no account) for the page. */
export function slowedSignUp(res: Response, retryAfterMs: number): string {
  const seconds = Math.ceil(retryAfterMs / 1000);
  res.status(429).set('Retry-After', String(seconds));
  return ctxOf(res).t('auth.newAccountsSlowed', { seconds });
}

/** Once a way in made an account: the storefront address this browser came through has done its work. */
export function newAccountMade(shop: Shop, res: Response): void {
  forgetArrivalStorefront(res, shop.config.secureCookies);
}
