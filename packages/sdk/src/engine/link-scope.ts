import { createHash } from 'node:crypto';
import type { Device } from '../domain/device.js';
import type { Subscription } from '../domain/subscription.js';
import { SUBSCRIPTION_STATUSES } from '../domain/subscription-status.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import { ValidationError } from '../errors.js';
import type { LinkTokenScopeWithDevice } from '../ports/storage-link-tokens.js';
import { MAX_PAGE_LIMIT } from '../domain/common.js';
import type { EngineContext } from './context.js';
import { allCustomerSubscriptions, subscriptionStatusFilter } from './customer-admin.js';
import { type DeviceCheck, type DeviceRequest, deviceSeenAfter, parseDeviceRequest } from './devices.js';

/** What a link token looks like: 32 characters of base64url. Anything else resolves to nothing without a query. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** What a buyer's link token opens, with the subscriptions it serves (see `kit.links.scope`). */
export interface LinkScope {
  /** The customer the token belongs to. */
  readonly customerId: string;
  /** The one subscription a subscription's own link opens; `null` for the customer's link (all of theirs). */
  readonly subscriptionId: string | null;
  /** The subscriptions the link serves, in `statuses` when given, newest first. */
  readonly subscriptions: Subscription[];
  /**
   * With `device` asked: the device's check (`kit.devices.touch`'s answer, `refreshed`) on each subscription whose
   * known device was refreshed in the same read, by subscription id. A served subscription in the device's statuses
   * that is not here did not know the device (or lay past the first page): `kit.devices.touch` decides it. Empty
   * without `device`, or for a request without a hardware id.
   */
  readonly checked: ReadonlyMap<string, DeviceCheck>;
}

/** What `kit.links.scope` may be given: the statuses served, and the requesting app's device to refresh with the read. */
export interface LinkScopeOptions {
  /** The statuses of the subscriptions the link serves (every status without it). */
  statuses?: readonly SubscriptionStatus[];
  /**
   * The app's device, refreshed in the same read on the served subscriptions in `statuses` that know its hardware
   * id (as `kit.devices.touch` refreshes a known device: written at most every `policy.deviceSeenEveryMs`), so an
   * app's checked refresh is one round trip; the checks are in `LinkScope.checked`. `ValidationError` for a bad
   * device, and nothing is read or written.
   */
  device?: { request: DeviceRequest; statuses: readonly SubscriptionStatus[] };
}

const NONE: ReadonlyMap<string, DeviceCheck> = new Map();

/** Whether `value` is an object literal (what `kit.links.scope`'s options are). */
function isPlainObject(value: unknown): value is LinkScopeOptions {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** `options.device`, checked: its request parsed, its statuses those of `statuses` (`ValidationError` otherwise). */
function deviceAsked(asked: LinkScopeOptions['device'], statuses: readonly SubscriptionStatus[] | undefined) {
  if (asked === undefined) return null;
  if (!isPlainObject(asked) || !Array.isArray(asked.statuses) || !asked.statuses.every((s) => SUBSCRIPTION_STATUSES.includes(s)))
    throw new ValidationError("the link scope's device must be { request, statuses } with known statuses", [
      { path: 'device', message: 'must be { request, statuses }' },
    ]);
  const request = parseDeviceRequest(asked.request);
  const on = asked.statuses.filter((s) => statuses === undefined || statuses.includes(s));
  return request.hwid === null || on.length === 0 ? null : { device: { ...request, hwid: request.hwid }, on };
}

/** The scope's read: with the device refreshed in it when one with a hardware id is asked on some status served. */
async function readScope(
  ctx: EngineContext,
  tokenHash: string,
  asked: LinkScopeOptions['device'],
  statuses: readonly SubscriptionStatus[] | undefined,
): Promise<LinkTokenScopeWithDevice | null> {
  const device = deviceAsked(asked, statuses);
  if (device === null) {
    const found = await ctx.storage.linkTokens.scopeWithSubscriptions(tokenHash, { limit: MAX_PAGE_LIMIT });
    return found === null ? null : { ...found, refreshed: [] };
  }
  return ctx.storage.linkTokens.scopeRefreshingDevice(tokenHash, {
    limit: MAX_PAGE_LIMIT,
    statuses: device.on,
    device: device.device,
    seenAfter: deviceSeenAfter(ctx),
  });
}

/** The checks of the devices refreshed on subscriptions the scope serves. */
function checksOf(scope: Omit<LinkScope, 'checked'>, refreshed: readonly Device[]): ReadonlyMap<string, DeviceCheck> {
  if (refreshed.length === 0) return NONE;
  const served = new Set(scope.subscriptions.map((s) => s.id));
  const checks = new Map<string, DeviceCheck>();
  for (const device of refreshed) {
    if (served.has(device.subscriptionId)) checks.set(device.subscriptionId, { served: true, outcome: 'refreshed', device });
  }
  return checks;
}

/** The SHA-256 (hex) a link token is stored and looked up by. */
export function linkTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The one place that decides what a link serves: a customer's token serves every subscription of the customer (as
 * always), a subscription's own token serves that subscription alone (with the rest of its bundle: a built plan's
 * subscriptions, one per location), while it is still the customer's. `null` for
 * a malformed token (no query), an unknown, rotated or revoked one. A removed group member's subscription is
 * terminated in the removal's transaction, so it is outside every live status in the same read.
 */
export async function resolveLinkScope(ctx: EngineContext, token: string, options: LinkScopeOptions = {}): Promise<LinkScope | null> {
  if (typeof token !== 'string' || !LINK_TOKEN_PATTERN.test(token)) return null;
  const scope = await servedScope(ctx, token, options);
  return scope === null ? null : { ...scope.scope, checked: checksOf(scope.scope, scope.refreshed) };
}

/** What the token serves, and the devices refreshed in its read. */
async function servedScope(
  ctx: EngineContext,
  token: string,
  options: LinkScopeOptions,
): Promise<{ scope: Omit<LinkScope, 'checked'>; refreshed: readonly Device[] } | null> {
  // The device is this function's; the rest is the status filter, checked as `kit.customers.subscriptions` checks it.
  const plain = isPlainObject(options);
  const { device, ...filter }: LinkScopeOptions = plain ? options : {};
  const statuses = subscriptionStatusFilter(plain ? filter : options);
  // The token and the customer's first page of subscriptions in one read (one round trip on a database), with the
  // app's known device refreshed in it when asked.
  const found = await readScope(ctx, linkTokenHash(token), device, statuses);
  if (found === null) return null;
  const refreshed = found.refreshed;
  const all = await allCustomerSubscriptions(ctx, found.customerId, found.subscriptions);
  const shown = (sub: Subscription) => statuses === undefined || statuses.includes(sub.status);
  if (found.subscriptionId === null) {
    return { scope: { customerId: found.customerId, subscriptionId: null, subscriptions: all.filter(shown) }, refreshed };
  }
  // A subscription's own token: the subscription, while it is the customer's (so among the customer's).
  const sub = all.find((s) => s.id === found.subscriptionId);
  if (sub === undefined) return null;
  if (sub.bundleId !== null) {
    // A built plan's subscriptions (one per location) were sold as one: the link of one serves them all.
    const bundle = all.filter((s) => s.bundleId === sub.bundleId && shown(s));
    return { scope: { customerId: found.customerId, subscriptionId: sub.id, subscriptions: bundle }, refreshed };
  }
  return { scope: { customerId: found.customerId, subscriptionId: sub.id, subscriptions: shown(sub) ? [sub] : [] }, refreshed };
}
