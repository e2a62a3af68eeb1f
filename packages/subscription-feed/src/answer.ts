import type { AppManagement } from './app-management.js';
import { announceLines, headerText } from './feed/announce.js';
import { type FeedFormat, feedBody, feedFormat, profileDisposition, profileTitle } from './feed/client-format.js';
import { deviceLimited, type LinkFeed, type UserInfo, usableOf } from './feed/feed.js';
import { type PlanRouting, routingOfSubscriptions, routingTurnedOffFor } from './feed/link-routing.js';
import { managementHeaders } from './feed/management-headers.js';
import { placeholderLinks } from './feed/placeholder.js';
import { readsRoutingHeader, routingHeader } from './feed/routing-apps.js';
import type { DirectRouting } from './feed/routing.js';
import type { FeedTexts } from './feed/texts.js';
import { type FeedAnswer, type FeedRequest, headerOf } from './request.js';

/** Hours between a client app's refreshes of the link (`profile-update-interval`), as the panels default. */
export const UPDATE_INTERVAL_HOURS = 12;

/** Whether the request is a person's browser (it asks for HTML and names itself Mozilla), not a client app. */
export function isBrowser(request: FeedRequest): boolean {
  const userAgent = headerOf(request, 'user-agent');
  return feedFormat(userAgent, headerOf(request, 'accept')) === 'plain' && /^Mozilla\/5\.0 \(/.test(userAgent ?? '');
}

/** Everything one answer says besides the request: the feed (after the device rule and gates) and the host's facts. */
export interface FeedFacts {
  /** The buyer's feed for this request (`linkFeed`, then the device verdict and gates for a client app). */
  feed: LinkFeed;
  /** The profile's name in the apps (the shop's name): `profile-title`, the Clash group, the sing-box selector. */
  title: string;
  /** The link on the address the apps should use: the page, the renew target, `profile-web-page-url`. */
  url: string;
  /** The link to move to when the request came to a retired address, else `null`. */
  moveTo: string | null;
  /** The owner's banner in the buyer's language (`''`: none). */
  banner: string;
  /** Where the buyer gets help (`support-url`), or `null`. */
  supportUrl: string | null;
  /** The owner's choices for the apps' management headers. */
  management: AppManagement;
  /** What this answer routes direct (`routingOf`), or `null`; a blocked feed's placeholders are never routed. */
  routing: DirectRouting | null;
  /** Whether the apps must be told to turn routing off (`routingOf`). */
  routingTurnedOff: boolean;
  /** The texts in the buyer's language (`feedTexts`). */
  texts: FeedTexts;
  /** The time of the request (the banner compares the expiry with it). */
  now: Date;
  /** A date as the buyer reads it (the banner's expiry). */
  formatDate(date: Date): string;
  /** `profile-update-interval`, hours; {@link UPDATE_INTERVAL_HOURS} by default. */
  updateIntervalHours?: number;
}

/** Whether the format is a proxy profile (Clash/mihomo, sing-box): the formats that carry WireGuard parts too. */
const isProfile = (format: FeedFormat): boolean => format === 'clash' || format === 'sing-box';

/**
 * The usage and expiry the answer to `request` carries (`subscription-userinfo` and the banner's warnings): of the
 * parts whose links the app's format gets (`LinkFeed.info`: Xray parts; `LinkFeed.profileInfo` for a Clash or
 * sing-box profile: Xray and WireGuard parts). A Telegram or AmneziaWG part is never in it.
 */
export function servedInfo(request: FeedRequest, feed: Pick<LinkFeed, 'info' | 'profileInfo'>): UserInfo {
  const profile = isProfile(feedFormat(headerOf(request, 'user-agent'), headerOf(request, 'accept')));
  return profile ? (feed.profileInfo ?? feed.info) : feed.info;
}

/** The `announce` banner's lines for these facts (empty: no banner). */
export function bannerLines(facts: Pick<FeedFacts, 'feed' | 'url' | 'moveTo' | 'banner' | 'texts' | 'now' | 'formatDate'>): string[] {
  return announceLines(facts.texts, {
    ownerBanner: facts.banner,
    blocked: facts.feed.blocked,
    info: facts.feed.info,
    pageUrl: facts.url,
    moveTo: facts.moveTo,
    now: facts.now,
    formatDate: facts.formatDate,
  });
}

/**
 * Whether the answer can carry routing: it serves links, to an app that reads routing (a profile format or a
 * `routing` header) or a browser. A host reads its plans' routing only then.
 */
export function wantsRouting(request: FeedRequest, feed: LinkFeed): boolean {
  if (feed.blocked !== null) return false;
  const userAgent = headerOf(request, 'user-agent');
  const format = feedFormat(userAgent, headerOf(request, 'accept'));
  return isBrowser(request) || format === 'clash' || format === 'sing-box' || readsRoutingHeader(userAgent);
}

/** The routing of the answer and whether to tell the apps to turn it off, from the plans' routing (`null`: none kept). */
export function routingOf(
  request: FeedRequest,
  feed: LinkFeed,
  plans: PlanRouting | null,
): { routing: DirectRouting | null; routingTurnedOff: boolean } {
  if (plans === null || !wantsRouting(request, feed)) return { routing: null, routingTurnedOff: false };
  const usable = usableOf(feed);
  const routing = routingOfSubscriptions(plans, usable);
  const turnedOff = routing === null && readsRoutingHeader(headerOf(request, 'user-agent')) && routingTurnedOffFor(plans, usable);
  return { routing, routingTurnedOff: turnedOff };
}

/**
 * The headers client apps read: usage and expiry (`servedInfo`: of the parts the app's format carries), title,
 * refresh interval, page, support, the banner and, for an app that documents them, the management headers the owner
 * turned on. A browser's page gets them too.
 */
export function appHeaders(request: FeedRequest, facts: FeedFacts): Record<string, string> {
  const info = servedInfo(request, facts.feed);
  const { upload, download, total, expire } = info;
  const lines = bannerLines({ ...facts, feed: { ...facts.feed, info } });
  return {
    'subscription-userinfo': `upload=${upload}; download=${download}; total=${total}; expire=${expire}`,
    'profile-title': profileTitle(facts.title),
    'profile-update-interval': String(facts.updateIntervalHours ?? UPDATE_INTERVAL_HOURS),
    'profile-web-page-url': facts.url,
    'content-disposition': profileDisposition(facts.title),
    'x-robots-tag': 'noindex',
    vary: 'User-Agent, Accept',
    ...(lines.length > 0 ? { announce: headerText(lines.join(' · ')) } : {}),
    ...(facts.supportUrl !== null ? { 'support-url': facts.supportUrl } : {}),
    ...managementHeaders(headerOf(request, 'user-agent'), facts.management, {
      moveTo: facts.moveTo,
      renewUrl: facts.url,
      deviceLimited: deviceLimited(facts.feed),
    }),
  };
}

/**
 * The answer for a client app (or a browser the host shows no page): the feed in the format the app reads (by its
 * User-Agent), with the app headers, the `routing` header for an app that reads one, and placeholder entries instead
 * of servers when the feed is blocked. Clash and sing-box profiles add the feed's `profileLinks` (WireGuard parts).
 * `HEAD` gets the headers alone; another method 405.
 */
export function feedAnswer(request: FeedRequest, facts: FeedFacts): FeedAnswer {
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD')
    return { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, body: 'Method Not Allowed' };
  const userAgent = headerOf(request, 'user-agent');
  const headers = appHeaders(request, facts);
  const { feed } = facts;
  // Placeholder entries are never routed: they connect nowhere.
  const routing = feed.blocked === null ? facts.routing : null;
  const routingValue = routingHeader(userAgent, routing, facts.title, feed.blocked === null && facts.routingTurnedOff);
  if (routingValue !== null) headers['routing'] = routingValue;
  const format = feedFormat(userAgent, headerOf(request, 'accept'));
  const profile = isProfile(format);
  const links =
    feed.blocked !== null
      ? placeholderLinks(feed.blocked, facts.texts, facts.url)
      : profile
        ? [...feed.links, ...(feed.profileLinks ?? [])]
        : feed.links;
  const answer = feedBody(links, format, facts.title, userAgent, routing);
  headers['content-type'] = answer.type;
  return { status: 200, headers, body: method === 'HEAD' ? '' : answer.body };
}
