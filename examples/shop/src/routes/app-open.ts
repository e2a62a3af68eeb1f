import { Router } from 'express';
import { clientApp, importLinkOf } from '@panelkit/subscription-feed/apps';
import type { Shop } from '../app/shop.js';
import { subscriptionLinkUrl } from '../config/public-addresses.js';
import type { RateLimits } from '../http/rate-limits.js';
import { isLocale, translator } from '../i18n/translate.js';
import { deviceLimited, linkFeed, SHOWN_STATUSES } from '@panelkit/subscription-feed';
import { appOpenPage } from '../views/app-open-page.js';

/**
 * `/s/<token>/open/<app>`: the https hop that opens the buyer's link in one client app, for channels that carry
 * only http(s) links (Telegram's buttons, e-mails). It shows nothing the link itself does not: an unknown or
 * rotated token, like an app without an import link, is the link's plain 404; it registers no device, and it is
 * rate-limited with the link. The import link asks for the device id (Karing) when a subscription counts devices.
 */
export function appOpenRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();
  router.get('/s/:token/open/:app', limits.subscriptionLink, async (req, res) => {
    const token = String(req.params['token'] ?? '');
    const app = clientApp(String(req.params['app'] ?? ''));
    const customerId = app === null || app.importLink === null ? null : await shop.kit.links.resolve(token);
    if (app === null || customerId === null) return void res.status(404).type('text/plain').send('Not Found');
    const [subscriptions, customer] = await Promise.all([
      shop.kit.customers.subscriptions(customerId, { statuses: SHOWN_STATUSES }),
      shop.storage.customers.get(customerId),
    ]);
    const feed = linkFeed(subscriptions);
    const url = subscriptionLinkUrl(shop.config, token);
    const importLink = importLinkOf(app, { url, title: shop.config.shopName, deviceLimited: deviceLimited(feed) }) as string;
    const locale = isLocale(customer?.locale) ? customer.locale : 'en';
    const ctx = { locale, t: translator(locale), viewer: null, csrfToken: '', path: req.path, shopName: shop.config.shopName };
    res.set({ 'x-robots-tag': 'noindex', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' });
    res.type('html').send(appOpenPage(ctx, { appName: app.name, importLink, getAt: app.getAt, pageUrl: url }).value);
  });
  return router;
}
