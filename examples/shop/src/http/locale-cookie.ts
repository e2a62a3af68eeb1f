import type { Response } from 'express';
import type { ShopConfig } from '../config/config.js';
import type { Locale } from '../i18n/translate.js';
import { cookieReach } from './session-cookie.js';
import { LOCALE_COOKIE } from './viewer.js';

const A_YEAR_MS = 365 * 24 * 3600_000;

/**
 * Remembers the reader's language for a year. `embedded` (a Mini App's launch) sets only the cookie Telegram Web's
 * iframe keeps (partitioned, see {@link cookieReach}); a choice on the pages (`/lang/…`) sets both that one and a
 * browser's: the switch is made from either place, and a browser keeps the two apart, so a Lax cookie alone would
 * never reach the iframe and the Mini App would go on in the language it was launched in.
 */
export function setLocaleCookie(res: Response, config: Pick<ShopConfig, 'secureCookies'>, locale: Locale, embedded: boolean): void {
  if (!embedded) res.cookie(LOCALE_COOKIE, locale, { maxAge: A_YEAR_MS, ...cookieReach(config, false) });
  if (embedded || config.secureCookies) res.cookie(LOCALE_COOKIE, locale, { maxAge: A_YEAR_MS, ...cookieReach(config, true) });
}
