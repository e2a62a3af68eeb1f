import { type DeviceCheck, type DeviceRequest, parseDeviceHeaders, type Subscription, type SubscriptionStatus } from '@panelkit/sdk';
import { type AppManagement, APP_MANAGEMENT_OFF } from './app-management.js';
import { type FeedFacts, feedAnswer, isBrowser, routingOf, servedInfo, wantsRouting } from './answer.js';
import { announcesAnything } from './feed/announce.js';
import { checkDevice, type DeviceVerdict, type FeedDevices } from './devices.js';
import { type LinkFeed, linkFeed, SHOWN_STATUSES, servedToDevice, USABLE_STATUS_LIST, usableOf } from './feed/feed.js';
import type { PlanRouting } from './feed/link-routing.js';
import type { LinkGate } from './feed/placeholder.js';
import type { DirectRouting } from './feed/routing.js';
import { type FeedTextOverrides, type FeedTexts, feedTexts } from './feed/texts.js';
import { type FeedAnswer, type FeedRequest, headerOf } from './request.js';

/** What the handler asks of the SDK: `kit` itself (`links.resolve`, `customers.subscriptions`, `devices.touch`). */
export interface FeedKit {
  readonly links: {
    /** The customer the link token belongs to, or `null` (unknown or rotated away). */
    resolve(token: string): Promise<string | null>;
    /**
     * What the token opens and the subscriptions it serves in `statuses` (`kit.links.scope`): a customer's link all
     * of theirs, a subscription's own link that one. When given, the handler reads the link through it alone; for a
     * client app with a hardware id it passes `device`, and the checks the read made (`checked`: a known device
     * refreshed) are not asked of `devices.touch` again.
     */
    scope?(
      token: string,
      options: { statuses: readonly SubscriptionStatus[]; device?: { request: DeviceRequest; statuses: readonly SubscriptionStatus[] } },
    ): Promise<{ customerId: string; subscriptions: Subscription[]; checked?: ReadonlyMap<string, DeviceCheck> } | null>;
  };
  readonly customers: {
    /** The customer's subscriptions in `statuses`, newest first. */
    subscriptions(customerId: string, options?: { statuses?: readonly SubscriptionStatus[] }): Promise<Subscription[]>;
  };
  readonly devices: FeedDevices;
}

/** The owner's words and choices for the link, as the host keeps them (each optional). */
export interface FeedNotice {
  /** The owner's banner: one text, or one per language (`''` or absent: none). */
  banner?: string | Readonly<Record<string, string>>;
  supportUrl?: string | null;
  management?: AppManagement;
}

/** What the host's page for a browser gets. */
export interface FeedPageView {
  customerId: string;
  token: string;
  request: FeedRequest;
  feed: LinkFeed;
  /** The link on the address shown (what the page offers and the QR carries). */
  url: string;
  locale: string;
  routing: DirectRouting | null;
}

/** How the handler is set up; only `kit`, `title` and `linkUrl` are needed. */
export interface FeedHandlerOptions {
  kit: FeedKit;
  /** The profile's name in the apps (the shop's name). */
  title: string;
  /** The link for a token on the address the apps should use (`https://shop.example/s/<token>`). */
  linkUrl(token: string): string;
  /** Whether the request came to an address the link has moved from: the apps are told the new link. */
  movedFrom?(request: FeedRequest): boolean;
  /** The owner's banner, support address and management choices (read per request: cache it if it costs). */
  notice?(): Promise<FeedNotice>;
  /** The buyer's language (asked only when the answer says something in words); English without it. */
  locale?(customerId: string): Promise<string>;
  /** The plans' routing presets (asked only when the answer can carry routing). */
  plans?(): Promise<PlanRouting>;
  /** Further checks for client apps after the device rule; the first reason given blocks the links. */
  gates?: readonly LinkGate[];
  /** Told of each client app's device verdict (the subscriptions checked and each one's check), e.g. to notify. */
  onDeviceVerdict?(usable: readonly Subscription[], verdict: DeviceVerdict): Promise<void>;
  /** The page a browser gets (its content type and body); without it a browser gets the links as plain text. */
  page?(view: FeedPageView): Promise<{ type: string; body: string }>;
  /** The host's own texts, by language, over the package's. */
  texts?: FeedTextOverrides;
  /** A date in the buyer's language (the banner's expiry); ISO date by default. */
  formatDate?(date: Date, locale: string): string;
  /** The clock (`new Date()` by default). */
  now?(): Date;
  /** `profile-update-interval`, hours (12 by default). */
  updateIntervalHours?: number;
}

/** A request to the link: its token (from the path) besides the method and headers. */
export interface FeedLinkRequest extends FeedRequest {
  readonly token: string;
}

const NOT_FOUND: FeedAnswer = { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' };

/** The banner in `locale`, from one text or one per language. */
const bannerIn = (banner: FeedNotice['banner'], locale: string): string =>
  (typeof banner === 'string' ? banner : (banner?.[locale] ?? '')).trim();

/** The owner's banner in every language it is given in (one text: that one). */
const bannersOf = (banner: FeedNotice['banner']): readonly string[] =>
  banner === undefined ? [] : typeof banner === 'string' ? [banner] : Object.values(banner);

/** What the link's read found: the customer, the subscriptions the token serves and the device checks made with it. */
export interface FoundScope {
  customerId: string;
  subscriptions: Subscription[];
  checked?: ReadonlyMap<string, DeviceCheck>;
}

/**
 * The customer and the subscriptions the token serves: through `links.scope` when the kit has it, with a client
 * app's device (one with a hardware id) refreshed in the same read on the usable subscriptions that know it.
 */
export async function scopeOf(kit: FeedKit, token: string, device: DeviceRequest | null): Promise<FoundScope | null> {
  if (kit.links.scope !== undefined) {
    const withDevice = device === null || device.hwid === null ? {} : { device: { request: device, statuses: USABLE_STATUS_LIST } };
    return kit.links.scope(token, { statuses: SHOWN_STATUSES, ...withDevice });
  }
  const customerId = await kit.links.resolve(token);
  if (customerId === null) return null;
  return { customerId, subscriptions: await kit.customers.subscriptions(customerId, { statuses: SHOWN_STATUSES }) };
}

/** The feed a client app gets: each usable subscription counts its device, then the gates have their say. */
async function appFeed(
  options: FeedHandlerOptions,
  found: LinkFeed,
  scope: FoundScope,
  device: DeviceRequest,
  request: FeedRequest,
): Promise<LinkFeed> {
  const { customerId } = scope;
  if (found.blocked !== null) return found;
  const usable = usableOf(found);
  let feed = found;
  if (usable.length > 0) {
    const verdict = await checkDevice(options.kit.devices, usable, device, scope.checked);
    await options.onDeviceVerdict?.(usable, verdict);
    feed = servedToDevice(found, verdict.served, verdict.refused);
  }
  for (const gate of feed.blocked === null ? (options.gates ?? []) : []) {
    const blocked = await gate({ customerId, header: (name) => headerOf(request, name) });
    if (blocked !== null) return { ...feed, links: [], blocked };
  }
  return feed;
}

/**
 * The buyer's link as one framework-free function: the token resolved to what it opens (`kit.links.scope`: the
 * customer's subscriptions, or a subscription's own link that one alone; with a kit without it, `kit.links.resolve`
 * then `kit.customers.subscriptions`; an unknown or rotated token is a plain 404), the
 * requesting app's device counted by each usable subscription (`kit.devices.touch`, never for a browser), then the
 * answer in the app's format with its headers (`feedAnswer`), or the host's page for a browser.
 */
export function createFeedHandler(options: FeedHandlerOptions): (request: FeedLinkRequest) => Promise<FeedAnswer> {
  // Each language's texts merged once (the package's and the host's, both fixed for the handler's life), not per request.
  const texts = new Map<string, FeedTexts>();
  const textsIn = (locale: string): FeedTexts => {
    let merged = texts.get(locale);
    if (merged !== undefined) return merged;
    merged = feedTexts(locale, options.texts);
    if (texts.size < 64) texts.set(locale, merged);
    return merged;
  };
  return async (request) => {
    // A browser viewing the page is no device: it registers nothing.
    const browser = isBrowser(request);
    const device = browser ? null : parseDeviceHeaders(request.headers);
    const [scope, notice] = await Promise.all([
      scopeOf(options.kit, request.token, device),
      options.notice?.() ?? Promise.resolve<FeedNotice>({}),
    ]);
    if (scope === null) return NOT_FOUND;
    const { customerId, subscriptions } = scope;
    const found = linkFeed(subscriptions);
    const feed = device === null ? found : await appFeed(options, found, scope, device, request);
    const url = options.linkUrl(request.token);
    const now = options.now?.() ?? new Date();
    const facts = {
      feed,
      title: options.title,
      url,
      moveTo: options.movedFrom?.(request) === true ? url : null,
      supportUrl: notice.supportUrl ?? null,
      management: notice.management ?? APP_MANAGEMENT_OFF,
      now,
      updateIntervalHours: options.updateIntervalHours,
    };
    const factsIn = (locale: string) => ({
      ...facts,
      banner: bannerIn(notice.banner, locale),
      texts: textsIn(locale),
      formatDate: (date: Date) => options.formatDate?.(date, locale) ?? date.toISOString().slice(0, 10),
    });
    // Most refreshes of an active link say nothing in words: the buyer's language is read only when one does.
    const speaks =
      browser ||
      announcesAnything({ blocked: feed.blocked, info: servedInfo(request, feed), moveTo: facts.moveTo, now }, bannersOf(notice.banner));
    const locale = speaks ? ((await options.locale?.(customerId)) ?? 'en') : 'en';
    const plans = options.plans !== undefined && wantsRouting(request, feed) ? await options.plans() : null;
    const answerFacts: FeedFacts = { ...factsIn(locale), ...routingOf(request, feed, plans) };
    const answer = feedAnswer(request, answerFacts);
    if (!browser || options.page === undefined || answer.status !== 200) return answer;
    const page = await options.page({ customerId, token: request.token, request, feed, url, locale, routing: answerFacts.routing });
    delete answer.headers['routing'];
    return {
      ...answer,
      headers: { ...answer.headers, 'content-type': page.type },
      body: request.method.toUpperCase() === 'HEAD' ? '' : page.body,
    };
  };
}
