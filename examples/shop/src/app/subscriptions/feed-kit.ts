import type { Subscription, SubscriptionStatus } from '@panelkit/sdk';
import type { FeedKit } from '@panelkit/subscription-feed';
import type { Shop } from '../shop.js';

const PAGE = 100;

/** Every subscription of the customer with one of `statuses` (all without), newest first, across all pages and panels. */
export async function customerSubscriptions(
  shop: Pick<Shop, 'storage'>,
  customerId: string,
  options: { statuses?: readonly SubscriptionStatus[] } = {},
): Promise<Subscription[]> {
  const found: Subscription[] = [];
  let cursor: string | null = null;
  do {
    const page = await shop.storage.subscriptions.listByCustomer(customerId, { limit: PAGE, cursor });
    found.push(...page.items.filter((s) => options.statuses?.includes(s.status) ?? true));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return found;
}

/**
 * What the buyer's link asks of the SDK (`@panelkit/subscription-feed`'s `FeedKit`): the shop's link tokens, the
 * customer's subscriptions and the kit's device rule.
 */
export function feedKitOf(shop: Shop): FeedKit {
  return {
    links: shop.kit.links,
    customers: { subscriptions: (customerId, options) => customerSubscriptions(shop, customerId, options) },
    devices: shop.kit.devices,
  };
}
