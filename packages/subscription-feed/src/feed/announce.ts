/**
 * The `announce` header client apps show as a banner (Happ, v2RayTun, Hiddify): the owner's message, then what the
 * buyer should know now, in their language: why the link carries no servers and where to renew (or, for a refused
 * device, where to manage devices), that the subscription ends soon or its traffic is nearly used, and which
 * address to use when the app still fetches the link from one the owner retired or moved down the list. Sent `base64:`-prefixed UTF-8 (a Farsi text survives
 * HTTP headers), the form PasarGuard sends and Happ's "Meta Info" documentation accepts.
 */
import type { UserInfo } from './feed.js';
import { type BlockReason, whereTo } from './placeholder.js';
import { type FeedTexts, fillText } from './texts.js';

/** Days before the expiry the banner starts warning. */
export const EXPIRY_WARNING_DAYS = 3;
/** Share of the traffic used from which the banner warns. */
export const TRAFFIC_WARNING_SHARE = 0.9;

/** What the banner is made of for one request. */
export interface AnnounceFacts {
  ownerBanner: string;
  blocked: BlockReason | null;
  info: UserInfo;
  /** The link's own page (where to renew), on the shown address. */
  pageUrl: string;
  /** The link on the shown address when the request came to another address, else `null`. */
  moveTo: string | null;
  now: Date;
  formatDate: (date: Date) => string;
}

/** Whether the subscriptions end within {@link EXPIRY_WARNING_DAYS} of `now`. */
const endsSoon = ({ expire }: UserInfo, now: Date): boolean =>
  expire > 0 && expire * 1000 - now.getTime() < EXPIRY_WARNING_DAYS * 86_400_000;

/** Whether {@link TRAFFIC_WARNING_SHARE} of the traffic is used. */
const trafficLow = ({ total, download, upload }: UserInfo): boolean => total > 0 && upload + download >= total * TRAFFIC_WARNING_SHARE;

/** The banner's lines, in order; empty when there is nothing to say. */
export function announceLines(texts: FeedTexts, facts: AnnounceFacts): string[] {
  const lines: string[] = [];
  const url = facts.pageUrl;
  if (facts.moveTo !== null) lines.push(fillText(texts.moveTo, { url: facts.moveTo }));
  if (facts.blocked !== null) {
    lines.push(texts[facts.blocked], whereTo(facts.blocked, texts, url));
  } else {
    if (endsSoon(facts.info, facts.now))
      lines.push(fillText(texts.endsSoon, { date: facts.formatDate(new Date(facts.info.expire * 1000)), url }));
    if (trafficLow(facts.info)) lines.push(fillText(texts.trafficLow, { url }));
  }
  if (facts.ownerBanner.trim() !== '') lines.push(facts.ownerBanner.trim());
  return lines;
}

/**
 * Whether {@link announceLines} has a line for these facts in some language, the owner's banner given in each
 * (`ownerBanners`): the same conditions without writing the words (an answer that says nothing needs no language).
 */
export function announcesAnything(
  facts: Pick<AnnounceFacts, 'blocked' | 'info' | 'moveTo' | 'now'>,
  ownerBanners: readonly string[],
): boolean {
  if (facts.moveTo !== null || facts.blocked !== null || endsSoon(facts.info, facts.now) || trafficLow(facts.info)) return true;
  return ownerBanners.some((banner) => banner.trim() !== '');
}

/** A header value carrying any text: `base64:` and the UTF-8 bytes (as `profile-title`). */
export function headerText(text: string): string {
  return `base64:${Buffer.from(text, 'utf8').toString('base64')}`;
}
