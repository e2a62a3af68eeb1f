import type { Request, Response } from 'express';
import type { ShopConfig } from '../config/config.js';
import type { Locale, Translate } from '../i18n/translate.js';
import type { Viewer } from '../app/viewer.js';
import type { StorefrontFace } from '../app/storefronts/storefront-face.js';

/** What every handler and view knows about the request, built by the shop's middleware. */
export interface RequestContext {
  locale: Locale;
  t: Translate;
  viewer: Viewer | null;
  /**
   * The token every form posts back as `_csrf` (and scripts as `x-csrf-token`); the viewer's is made when first read
   * (an anonymous visitor's then draws their CSRF cookie: `http/csrf.ts`).
   */
  csrfToken: string;
  /** A second token a state-changing request may carry: with a session, that of the CSRF cookie it was opened with. */
  csrfAlsoTaken?: string | null;
  /** The path and query, for "come back here after signing in". */
  path: string;
  shopName: string;
  /** The footer's support contact and policy links (from the shop's settings); absent or `null` parts are not shown. */
  footer?: ShopConfig['footer'];
  /**
   * The reseller's storefront the pages are seen through (its brand is `shopName` and the footer's support then,
   * its retail prices the catalog's): a signed-in buyer's own, or the address a visitor came through; absent or
   * `null`: the owner's shop.
   */
  storefront?: StorefrontFace | null;
}

export function ctxOf(res: Response): RequestContext {
  return res.locals['ctx'] as RequestContext;
}

export function setCtx(res: Response, ctx: RequestContext): void {
  res.locals['ctx'] = ctx;
}

/** The viewer of a route behind `requireAccount`. */
export function viewerOf(res: Response): Viewer {
  const viewer = ctxOf(res).viewer;
  if (viewer === null) throw new Error('route is missing requireAccount');
  return viewer;
}

/** Whether the caller gets JSON (the API) rather than pages; `originalUrl`, because a mounted router's `req.path` loses its prefix. */
export function wantsJson(req: Request): boolean {
  return req.originalUrl.startsWith('/api/');
}
