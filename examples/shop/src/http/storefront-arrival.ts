import type { Request, Response } from 'express';
import { isId } from '../app/input/ids.js';
import type { Shop } from '../app/shop.js';
import { storefrontFace, type StorefrontFace } from '../app/storefronts/storefront-face.js';
import { storefrontOfHost } from '../app/storefronts/web-address.js';
import type { Viewer } from '../app/viewer.js';
import { cookieName } from './cookie-name.js';
import { requestHostName, shopHostNames } from '../config/public-addresses.js';

/** The cookie a storefront's web address (`/store/<slug>`) leaves in the browser: the storefront's id, until sign-up. */
export const ARRIVAL_STOREFRONT_COOKIE = 'pk_storefront';

/** How long an opened storefront address counts for a sign-up. */
const ARRIVAL_MS = 30 * 24 * 3600_000;

/** Remembers that this browser opened storefront `storefrontId`'s address (the latest address opened wins). */
export function rememberArrivalStorefront(res: Response, storefrontId: string, secure: boolean): void {
  res.cookie(cookieName(ARRIVAL_STOREFRONT_COOKIE, secure), storefrontId, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: ARRIVAL_MS,
    path: '/',
  });
}

/** Drops the arrival cookie (an account was made with it). */
export function forgetArrivalStorefront(res: Response, secure: boolean): void {
  res.clearCookie(cookieName(ARRIVAL_STOREFRONT_COOKIE, secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

/**
 * The storefront a visitor (nobody signed in) sees the site through: the one whose host name the request was made
 * for, else the one whose address this browser opened last; `null`: the owner's shop. The host wins, so a
 * storefront's own domain never shows another storefront.
 */
async function visitorStorefront(shop: Shop, req: Request): Promise<string | null> {
  const host = requestHostName(req);
  const own = shopHostNames(shop.config).has(host);
  if (!own && host !== '') {
    const owner = await storefrontOfHost(shop, host);
    if (owner !== null) return owner;
  }
  const remembered = req.cookies?.[cookieName(ARRIVAL_STOREFRONT_COOKIE, shop.config.secureCookies)] as unknown;
  return isId(remembered) ? remembered : null;
}

/**
 * The storefront whose face this request's pages wear: a signed-in customer's own (`Customer.storefrontId`, whatever
 * address they opened: a buyer is never shown another storefront, and the owner's buyers and staff see the owner's
 * shop), else the visitor's ({@link visitorStorefront}); `null`: the owner's shop.
 */
export async function storefrontFaceOf(shop: Shop, req: Request, viewer: Viewer | null): Promise<StorefrontFace | null> {
  const id = viewer === null ? await visitorStorefront(shop, req) : viewer.customer.storefrontId;
  return id === null ? null : storefrontFace(shop, id);
}
