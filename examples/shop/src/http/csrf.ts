import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ctxOf } from './context.js';
import { ShopError } from '../app/shop-error.js';

export const CSRF_COOKIE = 'pk_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The token a signed-in browser's forms carry: an HMAC of its session token with the shop's secret. It lives exactly
 * as long as the session and needs no cookie of its own, so neither a browser restart (which keeps the session
 * cookie, with its expiry) nor a refused request can part it from the session; only a page this shop served to
 * that session can know it.
 */
export function sessionCsrfToken(secret: string, sessionToken: string): string {
  return createHmac('sha256', secret).update(`csrf|session|${sessionToken}`).digest('base64url');
}

/** The token an anonymous visitor's forms (sign-in, sign-up) carry: signed double-submit, an HMAC of their CSRF cookie. */
export function csrfTokenFor(secret: string, cookieValue: string): string {
  return createHmac('sha256', secret).update(`csrf|${cookieValue}`).digest('base64url');
}

function matches(expected: string, given: unknown): boolean {
  if (expected === '' || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a CSRF cookie the shop drew looks like (18 random bytes in base64url; a longer one from a client is taken). */
const COOKIE_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * Gives a visitor without one a CSRF cookie (for the anonymous forms' token) before the context is built; named
 * `__Host-pk_csrf` on https. Only on a page view (GET/HEAD): a state-changing request, refused or not, never sets
 * it, so a form posted from another site (which the browser sends without the `SameSite=Lax` cookie) cannot
 * replace the visitor's cookie. `res.locals.csrfCookie` is the cookie, or `null` when there is none. A new cookie
 * is drawn, and set on the answer, only when something reads `res.locals.csrfCookie` (a page rendering a form's
 * token, a session opened): an answer that carries no token (a client app refreshing its link, a JSON read) draws
 * no random bytes and sets no cookie. Read after the answer's headers are sent, it is `null` (no token, which
 * matches nothing).
 */
export function csrfCookie(options: { secure: boolean }) {
  const name = options.secure ? `__Host-${CSRF_COOKIE}` : CSRF_COOKIE;
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.cookies?.[name] as unknown;
    if (typeof given === 'string' && COOKIE_PATTERN.test(given)) res.locals['csrfCookie'] = given;
    else if (SAFE_METHODS.has(req.method)) drawnWhenRead(res, name, options.secure);
    else res.locals['csrfCookie'] = null;
    next();
  };
}

/** `res.locals.csrfCookie` as a new cookie drawn and set on the answer the first time it is read (then kept). */
function drawnWhenRead(res: Response, name: string, secure: boolean): void {
  const keep = (value: string | null) =>
    Object.defineProperty(res.locals, 'csrfCookie', { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(res.locals, 'csrfCookie', {
    enumerable: true,
    configurable: true,
    get() {
      if (res.headersSent) return null;
      const value = randomBytes(18).toString('base64url');
      res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
      keep(value);
      return value;
    },
    set: keep,
  });
}

/**
 * Refuses a state-changing request from a cookie-authenticated (or anonymous) caller unless it carries its token as
 * `_csrf` (forms) or `x-csrf-token` (scripts): with a session, the session's own token ({@link sessionCsrfToken}),
 * or the anonymous token of the very CSRF cookie the session was opened with (a page opened before signing in);
 * without, the one derived from the CSRF cookie. Requests authenticated by an API token carry no ambient credential,
 * so they need none. A refusal changes no cookie.
 */
export function csrfProtection() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const ctx = ctxOf(res);
    if (ctx.viewer?.via === 'api_token') return next();
    const given = (req.body as Record<string, unknown> | undefined)?.['_csrf'] ?? req.get('x-csrf-token');
    if (!matches(ctx.csrfToken, given) && !matches(ctx.csrfAlsoTaken ?? '', given)) return next(new ShopError('forbidden', 'errors.csrf'));
    next();
  };
}
