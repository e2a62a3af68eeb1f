import type { Request, Response } from 'express';
import type { Shop } from '../app/shop.js';
import { setSessionCookie } from './session-cookie.js';
import { SESSION_COOKIE, cookieName } from './viewer.js';

/**
 * Starts a session for the account on this browser: a new token at every sign-in (the one this browser had before
 * stops working). `secondFactorPending` for staff whose password was right and whose code is still owed.
 */
export async function startSession(shop: Shop, req: Request, res: Response, accountId: string, secondFactorPending = false): Promise<void> {
  const previous = req.cookies?.[cookieName(SESSION_COOKIE, shop.config.secureCookies)] as unknown;
  if (typeof previous === 'string') await shop.sessions.destroy(previous);
  const { token } = await shop.sessions.create(accountId, {
    secondFactorPending,
    userAgent: req.get('user-agent') ?? '',
    csrfCookie: res.locals['csrfCookie'] as string | null,
  });
  setSessionCookie(res, shop.config, token);
}
