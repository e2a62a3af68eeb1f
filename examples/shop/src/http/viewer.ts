import type { NextFunction, Request, Response } from 'express';
import type { Account } from '../db/accounts.js';
import type { Viewer } from '../app/viewer.js';
import { ctxOf, setCtx, wantsJson } from './context.js';
import { ShopError } from '../app/shop-error.js';
import { isLocale, translator, type Locale } from '../i18n/translate.js';
import type { Shop } from '../app/shop.js';
import { csrfTokenFor, sessionCsrfToken } from './csrf.js';
import { isStaffRole, roleMayUse } from '../app/auth/staff-roles.js';
import { requireStaffSecondFactor, setSessionLocals, type SessionLocals } from './staff-security.js';
import { localeOfAcceptLanguage } from '../i18n/language-choice.js';
import { storefrontFaceOf } from './storefront-arrival.js';
import { cookieName } from './cookie-name.js';

export const SESSION_COOKIE = 'pk_session';

export { cookieName } from './cookie-name.js';
export const LOCALE_COOKIE = 'pk_lang';

/** The JSON API's paths: the only ones an API token opens. */
function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** What an API token needs for a request: `read` to look (GET, a price quote), `write` to buy, pay or change. */
function scopeNeeded(req: Request): 'read' | 'write' {
  return req.method === 'GET' || req.method === 'HEAD' || /\/quote\/?$/.test(req.path) ? 'read' : 'write';
}

function preferredLocale(req: Request): Locale {
  const chosen = req.cookies?.[LOCALE_COOKIE] as unknown;
  if (isLocale(chosen)) return chosen;
  return localeOfAcceptLanguage(req.get('accept-language')) ?? 'en';
}

async function viewerOfAccount(shop: Shop, account: Account | null, via: Viewer['via']): Promise<Viewer | null> {
  if (account === null) return null;
  const customer = await shop.storage.customers.get(account.customerId);
  return customer === null ? null : { account, customer, via };
}

async function viewerFor(shop: Shop, accountId: string | null, via: Viewer['via']): Promise<Viewer | null> {
  return accountId === null ? null : viewerOfAccount(shop, await shop.accounts.get(accountId), via);
}

/**
 * The CSRF token this request's forms carry: the session's own (pending a second factor too), else the anonymous
 * cookie's, else none (`''`, which matches nothing: a state-changing request without either is refused).
 */
function csrfTokenOf(secret: string, session: SessionLocals | null, cookie: string | null): string {
  if (session !== null) return sessionCsrfToken(secret, session.token);
  return cookie === null ? '' : csrfTokenFor(secret, cookie);
}

/**
 * The anonymous token a session also takes: the one of the CSRF cookie it was opened with (a tab opened before
 * signing in still posts), and only with that very cookie; `null` without a session or with another cookie.
 */
async function boundCookieToken(shop: Shop, session: SessionLocals | null, res: Response): Promise<string | null> {
  if (session === null) return null;
  const cookie = res.locals['csrfCookie'] as string | null;
  if (cookie === null) return null;
  return (await shop.sessions.csrfBindingHolds(session.token, session.state, cookie)) ? csrfTokenFor(shop.secret, cookie) : null;
}

/**
 * Builds the request context: who is asking (API token, else session cookie), their language
 * (the cookie they chose, else the browser's), and the CSRF token their forms must carry.
 */
export function loadViewer(shop: Shop) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const bearer = /^Bearer (pk_[A-Za-z0-9_-]{20,100})$/.exec(req.get('authorization') ?? '')?.[1];
    let viewer: Viewer | null = null;
    let session: SessionLocals | null = null;
    if (bearer !== undefined) {
      // A token reaches the JSON API only, never the pages or the back office (no second factor, no re-authentication).
      if (!isApiPath(req.path)) return next(new ShopError('forbidden', 'errors.tokenApiOnly'));
      const grant = await shop.apiTokens.grantOf(bearer);
      viewer = await viewerOfAccount(shop, grant?.account ?? null, 'api_token');
      if (viewer === null || grant === null) return next(new ShopError('sign_in_required', 'errors.badToken'));
      viewer = { ...viewer, scopes: grant.scopes };
      if (!viewer.scopes?.includes(scopeNeeded(req))) return next(new ShopError('forbidden', 'errors.tokenScope'));
    } else {
      const token = req.cookies?.[cookieName(SESSION_COOKIE, shop.config.secureCookies)] as unknown;
      const state = typeof token === 'string' && token.length <= 100 ? await shop.sessions.stateOf(token) : null;
      if (state !== null) session = { token: token as string, state };
      // A session still owing its second factor signs nobody in.
      if (state !== null && !state.secondFactorPending) viewer = await viewerFor(shop, state.accountId, 'session');
    }
    const isStaff = viewer !== null && isStaffRole(viewer.account.role);
    setSessionLocals(
      res,
      session,
      isStaff && shop.config.staffTotpRequired && !(await shop.staffTotp.isEnabled(viewer?.account.id as string)),
    );
    const locale = preferredLocale(req);
    const storefront = isStaff ? null : await storefrontFaceOf(shop, req, viewer);
    // Made on first read, so an answer that renders no form (a link refresh, a JSON read) draws no anonymous cookie.
    let csrfToken: string | undefined;
    setCtx(res, {
      locale,
      t: translator(locale),
      viewer,
      get csrfToken() {
        csrfToken ??= csrfTokenOf(shop.secret, session, res.locals['csrfCookie'] as string | null);
        return csrfToken;
      },
      csrfAlsoTaken: await boundCookieToken(shop, session, res),
      path: req.originalUrl,
      shopName: storefront?.shopName ?? shop.config.shopName,
      footer: storefront == null ? shop.config.footer : { ...shop.config.footer, supportContact: storefront.support },
      storefront,
    });
    next();
  };
}

/** Signed-in callers only: pages send the rest to sign in (and back), the API answers 401. */
export function requireAccount(req: Request, res: Response, next: NextFunction): void {
  if (ctxOf(res).viewer !== null) return next();
  if (wantsJson(req) || req.method !== 'GET') return next(new ShopError('sign_in_required', 'errors.signInFirst'));
  res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
}

/**
 * Staff only, and only where their role may go (see {@link STAFF_ROUTES}): buyers get 403, support staff get 403 on the
 * owner's routes, and staff still owing their second factor are sent to enrol first.
 */
export function requireAdmin(req: Request, res: Response, next: NextFunction): void {
  const viewer = ctxOf(res).viewer;
  if (viewer === null) return requireAccount(req, res, next);
  if (!isStaffRole(viewer.account.role)) return next(new ShopError('forbidden', 'errors.adminsOnly'));
  requireStaffSecondFactor(req, res, (error?: unknown) => {
    if (error !== undefined) return next(error);
    if (!roleMayUse(viewer.account.role, req.method, req.originalUrl.split('?')[0] ?? ''))
      return next(new ShopError('forbidden', 'staff.ownersOnly'));
    next();
  });
}
