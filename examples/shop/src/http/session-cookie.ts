import type { CookieOptions, Response } from 'express';
import type { ShopConfig } from '../config/config.js';
import { SESSION_TTL_MS } from '../db/sessions.js';
import { SESSION_COOKIE, cookieName } from './viewer.js';

type CookieConfig = Pick<ShopConfig, 'secureCookies'>;

/**
 * Where a cookie may travel. A browser's is `SameSite=Lax`. A Mini App's (`embedded`) is, on https,
 * `SameSite=None; Secure; Partitioned`: Telegram Web shows a Mini App in an iframe on Telegram's own site, where a Lax
 * cookie is never sent, and a partitioned cookie (CHIPS) lives only in that embedding, so no other site that frames
 * the shop shares it. A session cookie sent with cross-site requests still opens no state change by itself: every
 * form and script must carry the session's CSRF token (`http/csrf.ts`), which only a page the shop served that
 * session holds.
 */
export function cookieReach(config: CookieConfig, embedded: boolean): CookieOptions {
  const crossSite = embedded && config.secureCookies;
  return { sameSite: crossSite ? 'none' : 'lax', secure: config.secureCookies, ...(crossSite ? { partitioned: true } : {}), path: '/' };
}

/** Sets the session cookie (httpOnly, for the session's lifetime); `embedded` for a Mini App's, see {@link cookieReach}. */
export function setSessionCookie(res: Response, config: CookieConfig, token: string, embedded = false): void {
  res.cookie(cookieName(SESSION_COOKIE, config.secureCookies), token, {
    httpOnly: true,
    maxAge: SESSION_TTL_MS,
    ...cookieReach(config, embedded),
  });
}

/** Clears the session cookie, a Mini App's partitioned one too (a browser keeps the two apart). */
export function clearSessionCookie(res: Response, config: CookieConfig): void {
  const name = cookieName(SESSION_COOKIE, config.secureCookies);
  res.clearCookie(name, { path: '/' });
  if (config.secureCookies) res.clearCookie(name, cookieReach(config, true));
}
