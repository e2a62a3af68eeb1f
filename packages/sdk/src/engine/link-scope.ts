import { createHash } from 'node:crypto';
import type { Subscription } from '../domain/subscription.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import { MAX_PAGE_LIMIT } from '../domain/common.js';
import type { EngineContext } from './context.js';
import { allCustomerSubscriptions, subscriptionStatusFilter } from './customer-admin.js';

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
export async function resolveLinkScope(
  ctx: EngineContext,
  token: string,
  options: { statuses?: readonly SubscriptionStatus[] } = {},
): Promise<LinkScope | null> {
  if (typeof token !== 'string' || !LINK_TOKEN_PATTERN.test(token)) return null;
  const statuses = subscriptionStatusFilter(options);
  // The token and the customer's first page of subscriptions in one read (one round trip on a database).
  const found = await ctx.storage.linkTokens.scopeWithSubscriptions(linkTokenHash(token), { limit: MAX_PAGE_LIMIT });
  if (found === null) return null;
  const all = await allCustomerSubscriptions(ctx, found.customerId, found.subscriptions);
  const shown = (sub: Subscription) => statuses === undefined || statuses.includes(sub.status);
  if (found.subscriptionId === null) {
    return { customerId: found.customerId, subscriptionId: null, subscriptions: all.filter(shown) };
  }
  // A subscription's own token: the subscription, while it is the customer's (so among the customer's).
  const sub = all.find((s) => s.id === found.subscriptionId);
  if (sub === undefined) return null;
  if (sub.bundleId !== null) {
    // A built plan's subscriptions (one per location) were sold as one: the link of one serves them all.
    const bundle = all.filter((s) => s.bundleId === sub.bundleId && shown(s));
    return { customerId: found.customerId, subscriptionId: sub.id, subscriptions: bundle };
  }
  return { customerId: found.customerId, subscriptionId: sub.id, subscriptions: shown(sub) ? [sub] : [] };
}
