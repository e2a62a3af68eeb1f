import { parseDeviceHeaders } from '@panelkit/sdk';
import { Router, type Request, type Response } from 'express';
import { requireAccount, requireAdmin } from '../http/viewer.js';
import { viewerOf } from '../http/context.js';
import { idParam } from '../app/input/ids.js';
import type { RateLimits } from '../http/rate-limits.js';
import type { Shop } from '../app/shop.js';
import { rotateSubscriptionLink, rotateSubscriptionLinkAsStaff } from '../app/subscriptions/rotate-link.js';
import { checkLinkDevice } from '../app/subscriptions/link-devices.js';
import { deviceCounts } from '../app/devices/subscription-devices.js';
import { linkNoticeForLinks, type LinkNotice } from '../app/subscriptions/link-notice.js';
import { appManagementForLinks, type AppManagement } from '../../../../packages/subscription-feed/src/app-management.js';
import { planNames } from '../app/subscriptions/plan-names.js';
import { isRetiredAddress, shownBase, subscriptionLinkUrl } from '../config/public-addresses.js';
import { formatDate } from '../i18n/format.js';
import { isLocale, LOCALES, translator, type Locale } from '../i18n/translate.js';
import { announceLines, headerText } from '../../../../packages/subscription-feed/src/feed/announce.js';
import { platformOf } from '../../../../packages/subscription-feed/src/client-apps.js';
import { managementHeaders } from '../../../../packages/subscription-feed/src/feed/management-headers.js';
import {
  feedBody,
  feedFormat,
  profileDisposition,
  profileTitle,
  type FeedFormat,
} from '../../../../packages/subscription-feed/src/feed/client-format.js';
import { deviceLimited, linkFeed, servedToDevice, usableOf, type LinkFeed } from '../../../../packages/subscription-feed/src/feed/feed.js';
import { placeholderLinks, type LinkGate } from '../../../../packages/subscription-feed/src/feed/placeholder.js';
import { routingOfSubscriptions, routingTurnedOffFor } from '../../../../packages/subscription-feed/src/feed/link-routing.js';
import { readsRoutingHeader, routingHeader } from '../../../../packages/subscription-feed/src/feed/routing-apps.js';
import type { DirectRouting } from '../../../../packages/subscription-feed/src/feed/routing.js';
import { linkPage } from '../views/link-page.js';
import { qrDataUrl } from '../views/qr-code.js';

/** Hours between a client app's refreshes of the link (`profile-update-interval`), as the panels default. */
export const UPDATE_INTERVAL_HOURS = 12;

/** Whether the request is a person's browser (it asks for HTML and names itself Mozilla), not a client app. */
export function isBrowser(userAgent: string | undefined, accept: string | undefined): boolean {
  const format = feedFormat(userAgent, accept);
  return format === 'plain' && /^Mozilla\/5\.0 \(/.test(userAgent ?? '');
}

/** What one answer at the link needs besides the feed. */
interface LinkContext {
  token: string;
  locale: Locale;
  feed: LinkFeed;
  /** The link on the shown address (the page, the QR, what apps import). */
  url: string;
  /** The owner's banner and support address (as read within `LINK_NOTICE_TTL_MS`). */
  notice: LinkNotice;
  /** The owner's choices for the apps' management headers (read alike). */
  management: AppManagement;
  /** Whether the request came to a retired address (`isRetiredAddress`): the apps are told the shown link. */
  retired: boolean;
}

/** The `announce` banner's lines for this request in the link's language (empty: no banner). */
function bannerLines(shop: Shop, link: LinkContext): string[] {
  return announceLines(translator(link.locale), {
    ownerBanner: link.notice.banner[link.locale],
    blocked: link.feed.blocked,
    info: link.feed.info,
    pageUrl: link.url,
    moveTo: link.retired ? link.url : null,
    now: shop.clock.now(),
    formatDate: (date) => formatDate(date, link.locale, shop.config.timeZone),
  });
}

/**
 * Whether the answer says anything in the buyer's language: the page, placeholder entries, or a banner line in
 * some language. Most refreshes of an active link say nothing of the kind, and skip reading the buyer's language.
 */
function speaksLanguage(shop: Shop, browser: boolean, link: Omit<LinkContext, 'locale'>): boolean {
  if (browser || link.feed.blocked !== null) return true;
  return LOCALES.some((locale) => bannerLines(shop, { ...link, locale }).length > 0);
}

/** The buyer's language, or English. */
async function localeOf(shop: Shop, customerId: string): Promise<Locale> {
  const customer = await shop.storage.customers.get(customerId);
  return isLocale(customer?.locale) ? customer.locale : 'en';
}

/**
 * The headers client apps read: usage and expiry, title, refresh, page, support and the banner; and, for an app
 * that documents them, the management headers the owner turned on (`sublink/management-headers.ts`).
 */
function setAppHeaders(shop: Shop, req: Request, res: Response, link: LinkContext): void {
  const { upload, download, total, expire } = link.feed.info;
  const lines = bannerLines(shop, link);
  res.set({
    'subscription-userinfo': `upload=${upload}; download=${download}; total=${total}; expire=${expire}`,
    'profile-title': profileTitle(shop.config.shopName),
    'profile-update-interval': String(UPDATE_INTERVAL_HOURS),
    'profile-web-page-url': link.url,
    'content-disposition': profileDisposition(shop.config.shopName),
    'x-robots-tag': 'noindex',
    vary: 'User-Agent, Accept',
  });
  if (lines.length > 0) res.set('announce', headerText(lines.join(' · ')));
  if (link.notice.supportUrl !== null) res.set('support-url', link.notice.supportUrl);
  res.set(
    managementHeaders(req.get('user-agent'), link.management, {
      moveTo: link.retired ? link.url : null,
      renewUrl: link.url,
      deviceLimited: deviceLimited(link.feed),
    }),
  );
}

/**
 * What this answer routes direct (its usable subscriptions' plans' presets), read only when the answer can carry it:
 * served links, and an app that reads routing (a profile format or a `routing` header) or the page.
 */
async function routingOf(
  shop: Shop,
  feed: LinkFeed,
  format: FeedFormat,
  userAgent: string | undefined,
  browser: boolean,
): Promise<DirectRouting | null> {
  if (feed.blocked !== null) return null;
  if (!browser && format !== 'clash' && format !== 'sing-box' && !readsRoutingHeader(userAgent)) return null;
  return routingOfSubscriptions(shop, usableOf(feed));
}

/** The page a browser gets at the link, in the buyer's language. */
async function sendPage(shop: Shop, req: Request, res: Response, link: LinkContext, routing: DirectRouting | null): Promise<void> {
  const { notice } = link;
  const ctx = {
    locale: link.locale,
    t: translator(link.locale),
    viewer: null,
    csrfToken: '',
    path: req.path,
    shopName: shop.config.shopName,
  };
  const page = linkPage(ctx, {
    url: link.url,
    qr: await qrDataUrl(link.url),
    subscriptions: link.feed.subscriptions,
    planNames: await planNames(shop, link.feed.subscriptions, link.locale),
    blocked: link.feed.blocked,
    renewUrl: `${shownBase(shop.config)}/dashboard`,
    platform: platformOf(req.get('user-agent')),
    timeZone: shop.config.timeZone,
    banner: notice.banner[link.locale].trim(),
    supportUrl: notice.supportUrl,
    devices: await deviceCounts(shop, link.feed.subscriptions),
    routing,
    deviceLimited: deviceLimited(link.feed),
  });
  res.type('html').send(page.value);
}

/** The feed once the gates have had their say: the first reason any of them gives replaces the links. */
async function gated(feed: LinkFeed, gates: readonly LinkGate[], customerId: string, req: Request): Promise<LinkFeed> {
  for (const gate of gates) {
    const blocked = await gate({ customerId, header: (name) => req.get(name) });
    if (blocked !== null) return { ...feed, links: [], blocked };
  }
  return feed;
}

/**
 * The feed a client app gets: each usable subscription counts the requesting device (its headers), and only the
 * ones that serve it give their links; then the gates have their say.
 */
async function appFeed(shop: Shop, found: LinkFeed, gates: readonly LinkGate[], customerId: string, req: Request): Promise<LinkFeed> {
  if (found.blocked !== null) return found;
  const usable = usableOf(found);
  let feed = found;
  if (usable.length > 0) {
    const { served, refused } = await checkLinkDevice(shop, usable, parseDeviceHeaders(req.headers));
    feed = servedToDevice(found, served, refused);
  }
  return feed.blocked === null ? gated(feed, gates, customerId, req) : feed;
}

/**
 * `/s/<token>`: every usable subscription's share links in one answer, whatever panel each lives on, with the
 * headers client apps read (usage and expiry, title, refresh interval, page, support, banner); each subscription
 * counts the app's device against its limit and serves only a device it accepts; when nothing is usable or no
 * subscription accepts the device, placeholder entries named after the reason. A browser gets the link's page instead. The token is the
 * same on every public address (PUBLIC_URLS). An unknown or rotated token is a plain 404. Rotation by the buyer
 * (from their page) or by an admin (from the customer's page).
 */
export function subscriptionLinkRoutes(shop: Shop, limits: RateLimits, gates: readonly LinkGate[] = []): Router {
  const router = Router();

  router.get('/s/:token', limits.subscriptionLink, async (req, res) => {
    const token = String(req.params['token'] ?? '');
    const customerId = await shop.kit.links.resolve(token);
    if (customerId === null) return void res.status(404).type('text/plain').send('Not Found');
    const [found, notice, management] = await Promise.all([
      linkFeed(shop, customerId),
      linkNoticeForLinks(shop),
      appManagementForLinks(shop),
    ]);
    const userAgent = req.get('user-agent');
    // A browser viewing the page is no device: it registers nothing.
    const browser = isBrowser(userAgent, req.get('accept'));
    const feed = browser ? found : await appFeed(shop, found, gates, customerId, req);
    const retired = isRetiredAddress(shop.config, req.get('host'));
    const known = { token, feed, url: subscriptionLinkUrl(shop.config, token), notice, management, retired };
    const locale = speaksLanguage(shop, browser, known) ? await localeOf(shop, customerId) : 'en';
    const link: LinkContext = { ...known, locale };
    setAppHeaders(shop, req, res, link);
    const format = feedFormat(userAgent, req.get('accept'));
    const routing = await routingOf(shop, feed, format, userAgent, browser);
    if (browser) return void (await sendPage(shop, req, res, link, routing));
    const turnedOff =
      routing === null && feed.blocked === null && readsRoutingHeader(userAgent) && (await routingTurnedOffFor(shop, usableOf(feed)));
    const routingValue = routingHeader(userAgent, routing, shop.config.shopName, turnedOff);
    if (routingValue !== null) res.set('routing', routingValue);
    const links = feed.blocked === null ? feed.links : placeholderLinks(feed.blocked, locale, link.url);
    const answer = feedBody(links, format, shop.config.shopName, userAgent, routing);
    res.type(answer.type).send(answer.body);
  });

  router.post('/account/subscription-link/rotate', requireAccount, async (_req, res) => {
    const customerId = viewerOf(res).customer.id;
    await rotateSubscriptionLink(shop, customerId, { type: 'customer', id: customerId });
    res.redirect(303, '/dashboard?done=sublink.rotated');
  });

  router.post('/api/v1/subscription-link/rotate', requireAccount, async (_req, res) => {
    const customerId = viewerOf(res).customer.id;
    const token = await rotateSubscriptionLink(shop, customerId, { type: 'customer', id: customerId });
    res.json({ url: subscriptionLinkUrl(shop.config, token) });
  });

  router.post('/admin/customers/:id/subscription-link/rotate', requireAdmin, async (req, res) => {
    const customerId = idParam(req);
    await rotateSubscriptionLinkAsStaff(shop, customerId, { type: 'admin', id: viewerOf(res).account.id });
    res.redirect(303, `/admin/customers/${encodeURIComponent(customerId)}?done=sublink.rotatedByAdmin`);
  });
  return router;
}
