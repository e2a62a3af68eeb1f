import { Router, type Request } from 'express';
import { requireAccount, requireAdmin } from '../http/viewer.js';
import { viewerOf } from '../http/context.js';
import { idParam } from '../app/input/ids.js';
import type { RateLimits } from '../http/rate-limits.js';
import type { Shop } from '../app/shop.js';
import { rotateSubscriptionLink, rotateSubscriptionLinkAsStaff } from '../app/subscriptions/rotate-link.js';
import { feedBody, feedFormat, profileTitle } from '../sublink/client-format.js';
import { linkFeed } from '../sublink/feed.js';

/** Hours between a client app's refreshes of the link (`profile-update-interval`), as the panels default. */
export const UPDATE_INTERVAL_HOURS = 12;

/** The shop's own address for links: `PUBLIC_URL` when set, else the host the request came to. */
export function shopBaseUrl(shop: Shop, req: Request): string {
  return shop.config.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** The full `/s/<token>` address of a buyer's link. */
export function subscriptionLinkUrl(shop: Shop, req: Request, token: string): string {
  return `${shopBaseUrl(shop, req)}/s/${token}`;
}

/**
 * `/s/<token>`: every linked subscription's share links in one answer, whatever panel each lives on, with the
 * headers client apps read (usage and expiry, title, refresh interval). An unknown or rotated token is a
 * plain 404. Rotation by the buyer (from their page) or by an admin (from the customer's page).
 */
export function subscriptionLinkRoutes(shop: Shop, limits: RateLimits): Router {
  const router = Router();

  router.get('/s/:token', limits.subscriptionLink, async (req, res) => {
    const customerId = await shop.subscriptionLinks.customerFor(String(req.params['token'] ?? ''));
    if (customerId === null) return void res.status(404).type('text/plain').send('Not Found');
    const feed = await linkFeed(shop, customerId);
    const { upload, download, total, expire } = feed.info;
    res.set({
      'subscription-userinfo': `upload=${upload}; download=${download}; total=${total}; expire=${expire}`,
      'profile-title': profileTitle(shop.config.shopName),
      'profile-update-interval': String(UPDATE_INTERVAL_HOURS),
      'profile-web-page-url': `${shopBaseUrl(shop, req)}/dashboard`,
      'content-disposition': 'inline',
      'x-robots-tag': 'noindex',
    });
    const userAgent = req.get('user-agent');
    const answer = feedBody(feed.links, feedFormat(userAgent, req.get('accept')), shop.config.shopName, userAgent);
    res.type(answer.type).send(answer.body);
  });

  router.post('/account/subscription-link/rotate', requireAccount, async (_req, res) => {
    const customerId = viewerOf(res).customer.id;
    await rotateSubscriptionLink(shop, customerId, { type: 'customer', id: customerId });
    res.redirect(303, '/dashboard?done=sublink.rotated');
  });

  router.post('/api/v1/subscription-link/rotate', requireAccount, async (req, res) => {
    const customerId = viewerOf(res).customer.id;
    const token = await rotateSubscriptionLink(shop, customerId, { type: 'customer', id: customerId });
    res.json({ url: subscriptionLinkUrl(shop, req, token) });
  });

  router.post('/admin/customers/:id/subscription-link/rotate', requireAdmin, async (req, res) => {
    const customerId = idParam(req);
    await rotateSubscriptionLinkAsStaff(shop, customerId, { type: 'admin', id: viewerOf(res).account.id });
    res.redirect(303, `/admin/customers/${encodeURIComponent(customerId)}?done=sublink.rotatedByAdmin`);
  });
  return router;
}
