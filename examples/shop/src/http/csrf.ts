import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ctxOf } from './context.js';
import { ShopError } from '../app/shop-error.js';

export const CSRF_COOKIE = 'pk_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Signed double-submit: the form token is an HMAC of a random cookie, so only a page this shop served can know it. */
export function csrfTokenFor(secret: string, cookieValue: string): string {
  return createHmac('sha256', secret).update(`csrf|${cookieValue}`).digest('base64url');
}

function matches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Gives every visitor a CSRF cookie (for the token forms carry) before the context is built; named
 * `__Host-pk_csrf` on https. A session records the cookie it was opened with (see `SessionStore.create`).
 */
export function csrfCookie(options: { secure: boolean }) {
  const name = options.secure ? `__Host-${CSRF_COOKIE}` : CSRF_COOKIE;
  return (req: Request, res: Response, next: NextFunction) => {
    let value = req.cookies?.[name] as string | undefined;
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{22,64}$/.test(value)) {
      value = randomBytes(18).toString('base64url');
      res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/' });
    }
    res.locals['csrfCookie'] = value;
    next();
  };
}

/**
 * Refuses a state-changing request from a cookie-authenticated (or anonymous) caller unless it
 * carries the token as `_csrf` (forms) or `x-csrf-token` (scripts), and, with a session, unless the
 * CSRF cookie is the one that session was opened with (`loadViewer` checks). Requests authenticated
 * by an API token carry no ambient credential, so they need none.
 */
export function csrfProtection() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const ctx = ctxOf(res);
    if (ctx.viewer?.via === 'api_token') return next();
    const given = (req.body as Record<string, unknown> | undefined)?.['_csrf'] ?? req.get('x-csrf-token');
    if (!matches(ctx.csrfToken, given) || res.locals['csrfBound'] === false) return next(new ShopError('forbidden', 'errors.csrf'));
    next();
  };
}
