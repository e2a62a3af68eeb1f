import type { Subscription, SubscriptionStatus } from '@panelkit/sdk';
import { type EntitlementKind, KIND_TRAITS } from '@panelkit/sdk/kinds';
import type { DeviceRefusal } from '@panelkit/sdk/rules';
import type { BlockReason } from './placeholder.js';

/** The statuses whose share links the feed serves, as a list (the statuses a client app's device is counted on). */
export const USABLE_STATUS_LIST: readonly SubscriptionStatus[] = ['active', 'on_hold'];

/** Statuses that make the link worth showing: usable now, or waiting for first use or more traffic. */
export const LINKED_STATUSES: ReadonlySet<SubscriptionStatus> = new Set(['active', 'on_hold', 'limited']);

/** Statuses whose share links the feed serves: the ones a client can connect with. */
const USABLE_STATUSES: ReadonlySet<SubscriptionStatus> = new Set(USABLE_STATUS_LIST);

/** Statuses the link answers with a placeholder named after them, when nothing on the link is usable. */
const BLOCKING: ReadonlyMap<SubscriptionStatus, BlockReason> = new Map([
  ['limited', 'limited'],
  ['suspended', 'suspended'],
  ['expired', 'expired'],
]);

/** Traffic in bytes and expiry in unix seconds, as the `subscription-userinfo` header carries them; 0 means none. */
export interface UserInfo {
  upload: number;
  download: number;
  total: number;
  expire: number;
}

/**
 * Everything one request to a buyer's link serves: the share links of every usable subscription and their totals;
 * when none is usable, why (the newest limited, suspended or expired one) and that one's totals. `subscriptions`
 * are the ones the link's page lists (usable and blocking, newest first).
 */
export interface LinkFeed {
  /** The share links every format carries: those of `xray` parts. */
  links: string[];
  /**
   * The links only the Clash and sing-box profiles carry: those of `wireguard` parts, which those formats express as
   * WireGuard entries (base64 stays Xray-only). AmneziaWG and MTProto parts are in no profile: a plain WireGuard
   * entry cannot reach an AmneziaWG server (S1–S4 and H1–H4 must match), and Telegram reads no profile; they are
   * delivered as a `.conf` and as proxy links. Absent: none.
   */
  profileLinks?: string[];
  /**
   * The usage and expiry of the parts whose links every format carries (`xray` parts): what the
   * `subscription-userinfo` header says to an app that reads base64 or plain links. A blocked feed: of the newest such
   * part.
   */
  info: UserInfo;
  /**
   * The usage and expiry of the parts the Clash and sing-box profiles carry (`xray` and `wireguard` parts), as
   * {@link LinkFeed.info} for those apps. Absent: `info`. No AmneziaWG or MTProto part is summed anywhere: no app
   * fetching the link is served one.
   */
  profileInfo?: UserInfo;
  blocked: BlockReason | null;
  subscriptions: Subscription[];
}

/** The statuses a link shows (usable or blocking): what a host reads for {@link linkFeed}. */
export const SHOWN_STATUSES: readonly SubscriptionStatus[] = ['active', 'on_hold', ...BLOCKING.keys()];

/** The subscriptions a link shows (usable or blocking), newest first. */
function shownOf(subscriptions: readonly Subscription[]): Subscription[] {
  return subscriptions
    .filter((s) => USABLE_STATUSES.has(s.status) || BLOCKING.has(s.status))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
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

/** A subscription's kind; a subscription stored before kinds has none and is `xray`. */
export const kindOf = (subscription: Pick<Subscription, 'kind'>): EntitlementKind => subscription.kind ?? 'xray';

/** The kinds whose links every format carries (`links`, `info`). */
const LINK_KINDS: readonly EntitlementKind[] = ['xray'];

/** The kinds the Clash and sing-box profiles carry besides (`profileLinks`; `profileInfo` sums both). */
const PROFILE_ONLY_KINDS: readonly EntitlementKind[] = ['wireguard'];

/** The kinds a Clash or sing-box profile carries in all (`profileInfo`). */
const PROFILE_KINDS: readonly EntitlementKind[] = [...LINK_KINDS, ...PROFILE_ONLY_KINDS];

/** The subscriptions of `kinds`, in their order. */
const ofKinds = (subs: readonly Subscription[], kinds: readonly EntitlementKind[]): Subscription[] =>
  subs.filter((s) => kinds.includes(kindOf(s)));

/** The share links of the subscriptions of `kinds`, in their order, duplicates dropped. */
const linksOfKinds = (subs: readonly Subscription[], kinds: readonly EntitlementKind[]): string[] => [
  ...new Set(ofKinds(subs, kinds).flatMap((s) => s.shareLinks)),
];

/** The links of the subscriptions a feed serves: `links` and `profileLinks` (see {@link LinkFeed}). */
const linksOf = (subs: readonly Subscription[]): Pick<LinkFeed, 'links' | 'profileLinks'> => ({
  links: linksOfKinds(subs, LINK_KINDS),
  profileLinks: linksOfKinds(subs, PROFILE_ONLY_KINDS),
});

/** The usage of the parts each format carries (see {@link LinkFeed}); `pick` narrows each format's parts first. */
const infoOf = (
  subs: readonly Subscription[],
  pick: (parts: Subscription[]) => Subscription[] = (parts) => parts,
): Pick<LinkFeed, 'info' | 'profileInfo'> => ({
  info: sumUserInfo(pick(ofKinds(subs, LINK_KINDS))),
  profileInfo: sumUserInfo(pick(ofKinds(subs, PROFILE_KINDS))),
});

/**
 * The share links by format (oldest subscription first, duplicates dropped; see {@link LinkFeed}) and totals of a
 * customer's usable subscriptions, from all of the customer's subscriptions (any order; the ones neither usable nor
 * blocking are left out).
 */
export function linkFeed(all: readonly Subscription[]): LinkFeed {
  const subscriptions = shownOf(all);
  const usable = usableOf({ subscriptions });
  if (usable.length > 0 || subscriptions.length === 0) {
    return { ...linksOf(usable), ...infoOf(usable), blocked: null, subscriptions };
  }
  const newest = subscriptions[0] as Subscription;
  // Each format's totals are its own newest part's (shown newest first), never a part of a kind it does not carry.
  const newestOnly = (parts: Subscription[]) => parts.slice(0, 1);
  return {
    links: [],
    profileLinks: [],
    ...infoOf(subscriptions, newestOnly),
    blocked: BLOCKING.get(newest.status) ?? null,
    subscriptions,
  };
}

/** The feed's subscriptions whose links it serves, oldest first. */
export function usableOf(feed: Pick<LinkFeed, 'subscriptions'>): Subscription[] {
  return feed.subscriptions.filter((s) => USABLE_STATUSES.has(s.status)).reverse();
}

/**
 * Whether a subscription the feed serves counts devices against a limit (Karing's link and Happ then ask for the id):
 * only a part whose kind counts devices (`KIND_TRAITS[kind].devicesCountable`) can.
 */
export function deviceLimited(feed: Pick<LinkFeed, 'subscriptions'>): boolean {
  return usableOf(feed).some((s) => s.deviceLimit !== null && KIND_TRAITS[kindOf(s)].devicesCountable);
}

/** The placeholder reason for a device refused by a subscription. */
const DEVICE_BLOCKS: Readonly<Record<DeviceRefusal, BlockReason>> = {
  limit_reached: 'device_limit_reached',
  hwid_required: 'hwid_required',
  trial_already_used: 'trial_already_used',
};

/**
 * The feed for one device: the links of the subscriptions that `served` it; when none that counts devices did (a
 * WireGuard part serves every device unchecked, so it does not keep a refused app from being told), no links and the
 * reason the first refusal gave (totals unchanged: the app still shows what the subscriptions have left).
 */
export function servedToDevice(feed: LinkFeed, served: readonly Subscription[], refused: DeviceRefusal | null): LinkFeed {
  if (refused === null || served.some((s) => KIND_TRAITS[kindOf(s)].devicesCountable)) return { ...feed, ...linksOf(served) };
  return { ...feed, links: [], profileLinks: [], blocked: DEVICE_BLOCKS[refused] };
}
