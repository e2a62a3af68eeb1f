import type { Subscription, SubscriptionStatus } from '@panelkit/sdk';
import type { Shop } from '../app/shop.js';

/** Statuses whose links a client app should keep: usable now, or waiting for first use or more traffic. */
export const LINKED_STATUSES: ReadonlySet<SubscriptionStatus> = new Set(['active', 'on_hold', 'limited']);

/** Traffic in bytes and expiry in unix seconds, as the `subscription-userinfo` header carries them; 0 means none. */
export interface UserInfo {
  upload: number;
  download: number;
  total: number;
  expire: number;
}

/** Everything one request to a buyer's link serves: the share links of every linked subscription, and their totals. */
export interface LinkFeed {
  links: string[];
  info: UserInfo;
}

const PAGE = 100;

/** Every subscription of the customer in a linked status, across all pages and panels. */
async function linkedSubscriptions(shop: Shop, customerId: string): Promise<Subscription[]> {
  const found: Subscription[] = [];
  let cursor: string | null = null;
  do {
    const page = await shop.storage.subscriptions.listByCustomer(customerId, { limit: PAGE, cursor });
    found.push(...page.items.filter((s) => LINKED_STATUSES.has(s.status)));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return found;
}

/**
 * Sums the subscriptions the way client apps read one profile: used traffic adds up (panels report no
 * upload/download split, so all of it is `download`); the total is the sum of the limits, or 0
 * (unlimited) when any of them is unlimited; the expiry is the earliest one, the day something stops working.
 */
export function sumUserInfo(subs: readonly Subscription[]): UserInfo {
  const download = subs.reduce((sum, s) => sum + (s.usedBytes ?? 0), 0);
  const total = subs.some((s) => s.trafficLimitBytes === null) ? 0 : subs.reduce((sum, s) => sum + (s.trafficLimitBytes ?? 0), 0);
  const expiries = subs.flatMap((s) => (s.expiresAt === null ? [] : [Math.floor(s.expiresAt.getTime() / 1000)]));
  return { upload: 0, download, total, expire: expiries.length === 0 ? 0 : Math.min(...expiries) };
}

/** The share links (oldest subscription first, duplicates dropped) and totals of a customer's linked subscriptions. */
export async function linkFeed(shop: Shop, customerId: string): Promise<LinkFeed> {
  const subs = (await linkedSubscriptions(shop, customerId)).reverse();
  return { links: [...new Set(subs.flatMap((s) => s.shareLinks))], info: sumUserInfo(subs) };
}
