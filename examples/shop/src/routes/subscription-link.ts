import {
  type AppManagement,
  createConfigFilesHandler,
  createFeedHandler,
  deviceLimited,
  type FeedAnswer,
  type FeedNotice,
  type FeedPageView,
  headerOf,
  type LinkGate,
} from '@panelkit/subscription-feed';
import { platformOf } from '@panelkit/subscription-feed/apps';
import { type Request, Router, type Response } from 'express';
import { idParam } from '../app/input/ids.js';
import type { Shop } from '../app/shop.js';
import { deviceCounts } from '../app/devices/subscription-devices.js';
import { appManagementForLinks } from '../app/subscriptions/app-management.js';
import { noticeDeviceChecks } from '../app/subscriptions/device-notices.js';
import { type LinkNotice, linkNoticeForLinks } from '../app/subscriptions/link-notice.js';
import { planNames } from '../app/subscriptions/plan-names.js';
import { parseOrThrow } from '../app/input/forms.js';
import { buyerLinkOf } from '../app/subscriptions/buyer-link.js';
import { LinkRotation } from '../app/subscriptions/link-rotation.js';
import { rotateSubscriptionLink, rotateSubscriptionLinkAsStaff, subscriptionLinkVersionOf } from '../app/subscriptions/rotate-link.js';
import { planRoutingForLinks } from '../app/plans/routing-preset-reads.js';
import { isRetiredAddress, shownBase, subscriptionLinkUrl } from '../config/public-addresses.js';
import { ctxOf, viewerOf } from '../http/context.js';
import type { RateLimits } from '../http/rate-limits.js';
import { requireAccount, requireAdmin } from '../http/viewer.js';
import { formatDate } from '../i18n/format.js';
import { isLocale, type Locale, translator } from '../i18n/translate.js';
import { linkPage } from '../views/link-page.js';
import { RotateLinkBody } from './api/sharing.js';
import { qrDataUrl } from '../views/qr-code.js';
import { partDeliveryViews } from '../views/part-delivery-views.js';

/** The page a browser gets at the link, in the buyer's language. */
async function linkPageOf(shop: Shop, view: FeedPageView): Promise<{ type: string; body: string }> {
  const notice = await linkNoticeForLinks(shop);
  const locale = (isLocale(view.locale) ? view.locale : 'en') satisfies Locale;
  const ctx = { locale, t: translator(locale), viewer: null, csrfToken: '', path: `/s/${view.token}`, shopName: shop.config.shopName };
  const page = linkPage(ctx, {
    url: view.url,
    qr: await qrDataUrl(view.url),
    subscriptions: view.feed.subscriptions,
    planNames: await planNames(shop, view.feed.subscriptions, locale),
    blocked: view.feed.blocked,
    renewUrl: `${shownBase(shop.config)}/dashboard`,
    platform: platformOf(headerOf(view.request, 'user-agent')),
    timeZone: shop.config.timeZone,
    banner: notice.banner[locale].trim(),
    supportUrl: notice.supportUrl,
    devices: await deviceCounts(shop, view.feed.subscriptions),
    routing: view.routing,
    deviceLimited: deviceLimited(view.feed),
    deliveries: await partDeliveryViews(view.feed.subscriptions, view.url, { qr: true }),
  });
  return { type: 'text/html; charset=utf-8', body: page.value };
}

/** The buyer's language, or English. */
async function localeOf(shop: Shop, customerId: string): Promise<Locale> {
  const customer = await shop.storage.customers.get(customerId);
  return isLocale(customer?.locale) ? customer.locale : 'en';
}

/** Sends a handler's answer through Express. */
function send(res: Response, answer: FeedAnswer): void {
  res.status(answer.status).set(answer.headers).send(answer.body);
}

/**
 * `/s/<token>`: the buyer's link, answered by `@panelkit/subscription-feed`'s handler with the shop's facts (its
 * name, public addresses, the owner's banner and app management choices, plan routing, the buyer's language, the
 * device notices, the link's page for a browser). Rotation by the buyer (from their page) or by an admin (from the
 * customer's page).
 */
export function subscriptionLinkRoutes(shop: Shop, limits: RateLimits, gates: readonly LinkGate[] = []): Router {
  const router = Router();
  // The notice and the management choices joined once per read of either (each kept per replica), not per request.
  let joined: { notice: Promise<LinkNotice>; management: Promise<AppManagement>; both: Promise<FeedNotice> } | undefined;
  const noticeOf = (notice: Promise<LinkNotice>, management: Promise<AppManagement>): Promise<FeedNotice> => {
    if (joined?.notice !== notice || joined.management !== management)
      joined = { notice, management, both: Promise.all([notice, management]).then(([n, m]) => ({ ...n, management: m })) };
    return joined.both;
  };
  const answer = createFeedHandler({
    kit: shop.kit,
    title: shop.config.shopName,
    linkUrl: (token) => subscriptionLinkUrl(shop.config, token),
    movedFrom: (request) => isRetiredAddress(shop.config, headerOf(request, 'host')),
    notice: () => noticeOf(linkNoticeForLinks(shop), appManagementForLinks(shop)),
    locale: (customerId) => localeOf(shop, customerId),
    plans: () => planRoutingForLinks(shop),
    gates,
    onDeviceVerdict: (usable, verdict) => noticeDeviceChecks(shop, usable, verdict.device, verdict.checks),
    page: (view) => linkPageOf(shop, view),
    formatDate: (date, locale) => formatDate(date, isLocale(locale) ? locale : 'en', shop.config.timeZone),
    now: () => shop.clock.now(),
  });

  router.get('/s/:token', limits.subscriptionLink, async (req, res) => {
    send(res, await answer({ token: String(req.params['token'] ?? ''), method: req.method, headers: req.headers }));
  });

  // The link's WireGuard/AmneziaWG configs: one part's .conf, every config in a zip (the feed's; no device fetch).
  const files = createConfigFilesHandler({ kit: shop.kit });
  const sendFile = async (req: Request, res: Response, file: string) => {
    const got = await files({ token: String(req.params['token'] ?? ''), method: req.method, headers: req.headers, file });
    res.status(got.status).set(got.headers).send(got.body);
  };
  router.get('/s/:token/config/:file', limits.subscriptionLink, (req, res) =>
    sendFile(req, res, `config/${String(req.params['file'] ?? '')}`),
  );
  router.get('/s/:token/configs.zip', limits.subscriptionLink, (req, res) => sendFile(req, res, 'configs.zip'));

  // The form and the API send the link's version they read (`from`), so a rotation sent twice replaces the link once.
  router.post('/account/subscription-link/rotate', requireAccount, async (req, res) => {
    const customerId = viewerOf(res).customer.id;
    const { from } = parseOrThrow(LinkRotation, req.body, ctxOf(res).t);
    await rotateSubscriptionLink(shop, customerId, { type: 'customer', id: customerId }, from);
    res.redirect(303, '/dashboard?done=sublink.rotated');
  });

  router.get('/api/v1/subscription-link', requireAccount, async (_req, res) => {
    const customerId = viewerOf(res).customer.id;
    const url = await buyerLinkOf(shop, customerId);
    res.json({ url, version: await subscriptionLinkVersionOf(shop, customerId) });
  });

  router.post('/api/v1/subscription-link/rotate', requireAccount, async (req, res) => {
    const customerId = viewerOf(res).customer.id;
    const { from } = parseOrThrow(RotateLinkBody, req.body ?? {}, ctxOf(res).t);
    const token = await rotateSubscriptionLink(shop, customerId, { type: 'customer', id: customerId }, from);
    res.json({ url: subscriptionLinkUrl(shop.config, token), version: await subscriptionLinkVersionOf(shop, customerId) });
  });

  router.post('/admin/customers/:id/subscription-link/rotate', requireAdmin, async (req, res) => {
    const customerId = idParam(req);
    await rotateSubscriptionLinkAsStaff(shop, customerId, { type: 'admin', id: viewerOf(res).account.id });
    res.redirect(303, `/admin/customers/${encodeURIComponent(customerId)}?done=sublink.rotatedByAdmin`);
  });
  return router;
}
