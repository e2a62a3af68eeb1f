import type { Response } from 'express';
import type { ShopConfig } from '../config/config.js';
import { SESSION_TTL_MS } from '../db/sessions.js';
import { SESSION_COOKIE, cookieName } from './viewer.js';

/**
 * Sets the session cookie. A browser's is `SameSite=Lax`. A Mini App's (`embedded`) is, on https,
 * `SameSite=None; Secure; Partitioned`: Telegram Web shows a Mini App in an iframe on Telegram's own site, where a Lax
 * cookie is never sent, and a partitioned cookie (CHIPS) lives only in that embedding, so no other site that frames
 * the shop shares it. Sent with cross-site requests, it still opens no state change by itself: every form and script
 * must carry the session's CSRF token (`http/csrf.ts`), which only a page the shop served that session holds.
 */
export function setSessionCookie(res: Response, config: Pick<ShopConfig, 'secureCookies'>, token: string, embedded = false): void {
  const crossSite = embedded && config.secureCookies;
  res.cookie(cookieName(SESSION_COOKIE, config.secureCookies), token, {
    httpOnly: true,
    sameSite: crossSite ? 'none' : 'lax',
    secure: config.secureCookies,
    ...(crossSite ? { partitioned: true } : {}),
    maxAge: SESSION_TTL_MS,
    path: '/',
  });
}
