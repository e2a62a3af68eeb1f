import { Router } from 'express';
import { z } from 'zod';
import { signInFromMiniApp, type MiniAppSignInRefusal } from '../app/auth/mini-app-sign-in.js';
import { INIT_DATA_MAX_LENGTH } from '../app/auth/telegram-init-data.js';
import type { Shop } from '../app/shop.js';
import { allBases, MINI_APP_PATH } from '../config/public-addresses.js';
import { ctxOf } from '../http/context.js';
import { setLocaleCookie } from '../http/locale-cookie.js';
import { newAccountMade, newAccountStorefrontOf } from '../http/new-account-origin.js';
import { setSessionCookie } from '../http/session-cookie.js';
import { isLocale } from '../i18n/translate.js';
import { SESSION_COOKIE, cookieName } from '../http/viewer.js';
import { miniAppPage } from '../views/mini-app-page.js';

/** Where the Mini App's script posts the launch data. */
export const MINI_APP_SESSION_PATH = `${MINI_APP_PATH}/session`;
/** Where a buyer lands once Telegram signed them in. */
const LANDING = '/dashboard';

const SignInBody = z.object({ initData: z.string().min(1).max(INIT_DATA_MAX_LENGTH) });

const STATUS_OF: Record<MiniAppSignInRefusal, number> = {
  malformed: 400,
  bad_signature: 401,
  expired: 401,
  future: 401,
  replayed: 409,
  staff: 403,
  off: 404,
  channel: 403,
};

/**
 * The shop as a Telegram Mini App: the page Telegram opens (`GET /tg/app`) and the sign-in its script posts the
 * launch data to (`POST /tg/app/session`, JSON). Mounted after the viewer and before the CSRF check: the sign-in has
 * no session yet, and inside Telegram Web's iframe the anonymous CSRF cookie (SameSite=Lax) never arrives. It is
 * guarded instead by what a forged cross-site request cannot do: send `application/json` (a form cannot; a script
 * of another site must pass a CORS preflight the shop never grants), come from the shop's own origin, and hold
 * launch data that Telegram signed for this bot minutes ago and nobody used yet. Mounted only when the Mini App is
 * on (a bot token, TELEGRAM_MINI_APP not off).
 */
export function miniAppRoutes(shop: Shop): Router {
  const router = Router();
  if (shop.config.telegram?.miniApp == null) return router;
  const origins = new Set(allBases(shop.config).map((base) => new URL(base).origin));

  router.get(MINI_APP_PATH, (_req, res) => {
    res.send(miniAppPage(ctxOf(res), { endpoint: MINI_APP_SESSION_PATH, next: LANDING }).value);
  });

  // No sign-in rate limit: there is no secret to guess (Telegram's HMAC), and buyers behind one carrier-grade NAT
  // would lock each other out.
  router.post(MINI_APP_SESSION_PATH, async (req, res) => {
    const { t } = ctxOf(res);
    const origin = req.get('origin');
    if (origin !== undefined && !origins.has(origin))
      return void res.status(403).json({ error: 'forbidden', message: t('miniapp.refused.foreignOrigin') });
    if (!req.is('application/json'))
      return void res.status(415).json({ error: 'unsupported_media', message: t('miniapp.refused.jsonOnly') });
    const body = SignInBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: 'malformed', message: t('miniapp.refused.malformed') });
    const result = await signInFromMiniApp(shop, body.data.initData, newAccountStorefrontOf(res));
    // Outside the owner's required channel: the page shows the join button and a button that posts the launch data again.
    if (!result.ok && result.reason === 'channel')
      return void res.status(STATUS_OF.channel).json({
        error: 'channel',
        message: t('growth.channel.miniAppPrompt', { channel: result.required.channel }),
        joinUrl: result.required.joinUrl,
      });
    if (!result.ok)
      return void res.status(STATUS_OF[result.reason]).json({ error: result.reason, message: t(`miniapp.refused.${result.reason}`) });
    // A new token at every sign-in; the one this webview had before stops working.
    const previous = req.cookies?.[cookieName(SESSION_COOKIE, shop.config.secureCookies)] as unknown;
    if (typeof previous === 'string') await shop.sessions.destroy(previous);
    const { token } = await shop.sessions.create(result.account.id, {
      userAgent: req.get('user-agent') ?? '',
      csrfCookie: res.locals['csrfCookie'] as string | null,
    });
    setSessionCookie(res, shop.config, token, true);
    if (result.created) newAccountMade(shop, res);
    // The pages speak the buyer's language (the one they chose in the bot), in Telegram's iframe too.
    if (isLocale(result.customer.locale)) setLocaleCookie(res, shop.config, result.customer.locale, true);
    res.json({ next: LANDING });
  });
  return router;
}
