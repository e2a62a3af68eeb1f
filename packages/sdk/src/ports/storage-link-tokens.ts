import { z } from 'zod';
import { MAX_PAGE_LIMIT } from '../domain/common.js';
import type { Page } from '../domain/common.js';
import { DeviceInfoSchema, deviceInfoAsIs } from '../domain/device.js';
import type { Device, DeviceInfo, DeviceInfoInput } from '../domain/device.js';
import type { Subscription } from '../domain/subscription.js';
import { SubscriptionStatusSchema } from '../domain/subscription-status.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import { parseInput } from '../domain/validate.js';

/**
 * A link token as a storage keeps it (storage port 20): the random nonce the token is derived from (so the host can
 * show the token again) and the token's SHA-256 in hex (the lookup key). The token itself is never stored.
 */
export interface LinkTokenCandidate {
  /** Random, URL-safe; at most 64 characters. */
  readonly nonce: string;
  /** The SHA-256 of the token derived from `nonce`, 64 lower-case hex digits; unique across customers. */
  readonly tokenHash: string;
}

/** One customer's link token asked of `LinkTokenRepository.ensureMany`: the customer and the candidate stored if it has none. */
export interface LinkTokenRequest {
  readonly customerId: string;
  readonly candidate: LinkTokenCandidate;
}

/**
 * Each customer's subscription link token (storage port 20) and, since port 21, a subscription's own: the key a buyer's `/s/<token>` resolves by.
 * The storage keeps the nonce and the token's hash; deriving the token is the SDK's (`kit.links`). Time comes from
 * the storage's clock (`createdAt`, `rotatedAt`).
 */
export interface LinkTokenRepository {
  /**
   * The customer's stored nonce, storing `candidate` first when the customer has none: callers on any connection or
   * replica making the first one at once all get the same nonce (one row per customer). A missing customer is a
   * `NotFoundError`, a bad candidate a `ValidationError`, a hash another customer holds a `ConflictError`; each
   * stores nothing.
   */
  ensure(customerId: string, candidate: LinkTokenCandidate): Promise<string>;
  /**
   * `ensure` for many customers in one call (storage port 27): each request's customer's stored nonce, its
   * `candidate` stored first when the customer has none, answered in the order asked (a customer asked twice gets
   * the one nonce both times). One statement on a database. All or none: a missing customer is a `NotFoundError`, a
   * bad candidate a `ValidationError`, a hash another customer holds a `ConflictError`, and nothing is stored. At
   * most `MAX_ROWS_PER_CALL` requests a call.
   */
  ensureMany(requests: readonly LinkTokenRequest[]): Promise<string[]>;
  /**
   * Replaces the customer's nonce and hash with `candidate` (storing it when there was none) in one step: from the
   * moment it returns the old token's hash resolves to nothing; `true` when it replaced (or stored) the token. With
   * `fromHash` (storage port 27), it replaces only the token with that SHA-256 (hex): when the customer's stored token
   * is another or none, it answers `false` and changes nothing, in the same one step, so of rotations racing from one
   * token on any replica exactly one replaces it. Errors as `ensure`.
   */
  rotate(customerId: string, candidate: LinkTokenCandidate, fromHash?: string): Promise<boolean>;
  /** The customer whose current token has this SHA-256 (hex), or `null` (unknown, or rotated away). */
  customerByHash(tokenHash: string): Promise<string | null>;
  /** The ids of customers who have a token, greater than `afterId` (`''` from the start), in id order, at most `limit`. */
  customersAfter(afterId: string, limit: number): Promise<string[]>;
  /**
   * A subscription's own link token (storage port 21), beside its customer's: as `ensure`, one row per subscription.
   * A missing subscription is a `NotFoundError`, a bad candidate a `ValidationError`, a hash in use a `ConflictError`.
   */
  ensureForSubscription(subscriptionId: string, candidate: LinkTokenCandidate): Promise<string>;
  /**
   * As `rotate`, for a subscription's own token; `true` when it replaced (or stored) the token. With `fromHash`
   * (storage port 27), it replaces only the token with that SHA-256 (hex): when the subscription's stored token is
   * another or none, it answers `false` and changes nothing, in the same one step, so of rotations racing from one
   * token on any replica exactly one replaces it. A missing subscription is a `NotFoundError`.
   */
  rotateForSubscription(subscriptionId: string, candidate: LinkTokenCandidate, fromHash?: string): Promise<boolean>;
  /** Deletes a subscription's own token (its hash resolves to nothing from then on); whether there was one. */
  revokeForSubscription(subscriptionId: string): Promise<boolean>;
  /**
   * What the token with this SHA-256 (hex) opens: a customer's token (`subscriptionId: null`, every subscription of
   * the customer) or a subscription's own (its customer and it); `null` when unknown, rotated or revoked.
   */
  scopeByHash(tokenHash: string): Promise<LinkTokenScope | null>;
  /**
   * `scopeByHash` and the first page of the customer's subscriptions in one read (storage port 23): the page is
   * `subscriptions.listByCustomer(customerId, { limit })`'s (newest first; its `nextCursor` continues there), for a
   * subscription's own token too (the customer's, which hold it and its bundle). One statement on a database, so a
   * buyer's link refresh resolves its token and reads what it serves in one round trip, from one snapshot. `null`
   * when `scopeByHash` is. `limit` 1–1000.
   */
  scopeWithSubscriptions(tokenHash: string, page: { limit: number }): Promise<LinkTokenScopeWithSubscriptions | null>;
  /**
   * `scopeWithSubscriptions`, and in the same statement a known device refreshed as `devices.refresh` refreshes it
   * (with `seenAfter`: written only when due) on each subscription of the page that the token serves with a status
   * in `statuses` (storage port 24): every such subscription for a customer's token, the token's own subscription
   * for a subscription's own (a bundle's other subscriptions are left to the caller). `refreshed` holds the devices
   * refreshed or answered as stored, one per subscription that knew the hardware id; a subscription without it is
   * not in `refreshed` and nothing is written for it (registering stays `devices.touch`'s). So an app's checked link
   * refresh is one round trip. `null` (nothing written) when `scopeByHash` is. `ValidationError` for a bad device,
   * `limit` (1–1000) or `statuses`, and nothing is written.
   */
  scopeRefreshingDevice(tokenHash: string, request: LinkDeviceRefreshRequest): Promise<LinkTokenScopeWithDevice | null>;
}

/** What `LinkTokenRepository.scopeRefreshingDevice` is asked besides the token's hash. */
export interface LinkDeviceRefreshRequest {
  /** The page of the customer's subscriptions read, as `scopeWithSubscriptions`'s (1–1000). */
  readonly limit: number;
  /** The statuses of the subscriptions whose device is refreshed (at least one). */
  readonly statuses: readonly SubscriptionStatus[];
  /** The device as its app described it; `hwid` is required. */
  readonly device: DeviceInfoInput;
  /** As `DeviceRefreshRequest.seenAfter`: a device seen after it and described as stored is not written. */
  readonly seenAfter: Date;
}

/** A `linkTokens.scopeRefreshingDevice` request as checked: its device with every field present. */
export interface ParsedLinkDeviceRefresh {
  readonly limit: number;
  readonly statuses: readonly SubscriptionStatus[];
  readonly device: DeviceInfo;
  readonly seenAfter: Date;
}

const LinkDeviceRefreshSchema: z.ZodType<ParsedLinkDeviceRefresh, LinkDeviceRefreshRequest> = z.strictObject({
  limit: z.number().int().min(1).max(MAX_PAGE_LIMIT),
  statuses: z.array(SubscriptionStatusSchema).min(1).readonly(),
  device: DeviceInfoSchema,
  seenAfter: z.date(),
});

const KNOWN_STATUSES: ReadonlySet<unknown> = new Set(SubscriptionStatusSchema.options);
const REQUEST_KEYS: ReadonlySet<string> = new Set(['limit', 'statuses', 'device', 'seenAfter']);

/** The request as `LinkDeviceRefreshSchema` parses it, checked by hand (an app's every checked refresh); `undefined` if not. */
function linkDeviceRefreshAsIs(request: LinkDeviceRefreshRequest): ParsedLinkDeviceRefresh | undefined {
  if (typeof request !== 'object' || request === null || Object.getPrototypeOf(request) !== Object.prototype) return undefined;
  for (const key in request) if (!REQUEST_KEYS.has(key)) return undefined;
  const { limit, statuses, seenAfter } = request;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) return undefined;
  if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => KNOWN_STATUSES.has(s))) return undefined;
  if (!(seenAfter instanceof Date) || Number.isNaN(seenAfter.getTime())) return undefined;
  const device = deviceInfoAsIs(request.device, false);
  return device === undefined ? undefined : { limit, statuses, device: device as DeviceInfo, seenAfter };
}

/**
 * Checks a `linkTokens.scopeRefreshingDevice` request the same way in every storage (`ValidationError` otherwise):
 * by hand when it is already in its parsed form, zod to word what is wrong.
 */
export function parseLinkDeviceRefresh(request: LinkDeviceRefreshRequest): ParsedLinkDeviceRefresh {
  return linkDeviceRefreshAsIs(request) ?? parseInput(LinkDeviceRefreshSchema, request, 'link device refresh');
}

/** `LinkTokenScopeWithSubscriptions` and the device refreshed on the subscriptions that knew it. */
export interface LinkTokenScopeWithDevice extends LinkTokenScopeWithSubscriptions {
  /** The device as written or as stored, one per subscription refreshed (its `subscriptionId`), in no set order. */
  readonly refreshed: readonly Device[];
}

/** What a link token opens and its customer's first page of subscriptions (`LinkTokenRepository.scopeWithSubscriptions`). */
export interface LinkTokenScopeWithSubscriptions extends LinkTokenScope {
  /** The customer's subscriptions, newest first, as `subscriptions.listByCustomer` pages them. */
  readonly subscriptions: Page<Subscription>;
}

/** What a link token opens (see `LinkTokenRepository.scopeByHash`). */
export interface LinkTokenScope {
  readonly customerId: string;
  /** The one subscription a subscription's own token opens; `null` for a customer's token. */
  readonly subscriptionId: string | null;
}
