import type { ExtensionQuoteResult, Order, Plan, Subscription } from '@panelkit/sdk';
import type { DiscountDecision } from '@panelkit/sdk/rules';
import { planListedPrice } from '../../i18n/plan-text.js';
import { configsZipUrl } from '@panelkit/subscription-feed';
import { deliveredByLink, partDeliveryOf } from '../../app/kinds/part-delivery.js';

/**
 * A plan as API clients see it (no capacity or placement internals). `price` is the price the plan is listed at
 * everywhere (`planListedPrice`): for a plan the buyer composes, the least it sells for, with `priceFrom` true.
 */
export function planJson(plan: Plan) {
  const listed = planListedPrice(plan);
  return {
    id: plan.id,
    name: plan.name,
    family: plan.family,
    description: plan.description,
    price: listed.price,
    /** True for a plan the buyer composes (`POST /api/v1/plans/:id/quote` prices a choice): `price` is its least. */
    priceFrom: listed.from,
    durationDays: plan.durationDays,
    trafficBytes: plan.trafficBytes,
    deviceLimit: plan.deviceLimit,
    /** What a subscriber's link does with an app that sends no device id. */
    noHwidPolicy: plan.noHwidPolicy,
    locations: plan.placement.allowedLocations,
    startOnFirstUse: plan.startOnFirstUse,
    renewable: plan.renewable,
    trial: plan.trial,
    /** Extra traffic for sale to its subscribers (price per GiB), or `null`. */
    trafficTopUp: plan.trafficTopUp,
    /** Extra devices for sale to its subscribers (price per device per 30 days, most at once), or `null`. */
    devicePack: plan.devicePack,
    /** What one unit sells (`xray`, `wireguard`, `amneziawg`, `mtproto`); several make a bundle. */
    kinds: plan.kinds,
  };
}

/**
 * How the buyer takes a part the link does not deliver, under `link` (a link serving it): a WireGuard/AmneziaWG
 * part's `.conf` route, its file name and the zip of every config on the link; a Telegram part's two links. `null`
 * for an Xray part (its apps take `subscriptionUrl`), a part not usable now and one not set up yet.
 */
export function deliveryJson(sub: Subscription, link: string) {
  if (deliveredByLink(sub)) return null;
  const delivery = partDeliveryOf(sub, link);
  if (delivery === null) return null;
  if (delivery.form === 'telegram_proxy') return { telegram: { tg: delivery.tg, https: delivery.https } };
  return { config: { url: delivery.url, fileName: delivery.fileName, zipUrl: configsZipUrl(link) } };
}

/**
 * A subscription for its owner; with `link` (one subscription asked for by id) its links too: `subscriptionUrl` is
 * the buyer's link, the shop's `/s/<token>` (`buyerLinkOf`), never the panel's own subscription URL.
 */
export function subscriptionJson(sub: Subscription, options: { link?: string; changeInProgress?: boolean }) {
  return {
    id: sub.id,
    orderId: sub.orderId,
    planId: sub.planId,
    status: sub.status,
    expiresAt: sub.expiresAt?.toISOString() ?? null,
    startOnFirstUse: sub.startOnFirstUse,
    durationDays: sub.durationDays,
    trafficLimitBytes: sub.trafficLimitBytes,
    usedBytes: sub.usedBytes,
    deviceLimit: sub.deviceLimit,
    autoRenew: sub.autoRenew,
    trial: sub.trial,
    kind: sub.kind,
    bundleId: sub.bundleId,
    createdAt: sub.createdAt.toISOString(),
    ...(options.changeInProgress !== undefined ? { changeInProgress: options.changeInProgress } : {}),
    ...(options.link !== undefined
      ? { subscriptionUrl: options.link, shareLinks: sub.shareLinks, delivery: deliveryJson(sub, options.link) }
      : {}),
  };
}

export function orderJson(order: Order, subscriptions: Subscription[]) {
  return {
    id: order.id,
    status: order.status,
    items: order.items,
    total: order.total,
    createdAt: order.createdAt.toISOString(),
    subscriptions: subscriptions.map((s) => ({ id: s.id, planId: s.planId, status: s.status, trial: s.trial })),
  };
}

export function quoteJson(result: ExtensionQuoteResult, message: string | null) {
  if (!result.allowed) {
    return { allowed: false as const, reason: result.reason, opensAt: result.details.opensAt?.toISOString() ?? null, message };
  }
  const q = result.quote;
  return {
    allowed: true as const,
    linkChanges: result.linkChanges,
    quote: {
      action: q.action,
      basis: q.basis,
      newExpiresAt: q.newExpiresAt.toISOString(),
      newTrafficLimitBytes: q.newTrafficLimitBytes,
      price: q.price,
      durationDays: q.durationDays,
      carriedOverBytes: q.carriedOverBytes,
      forfeitedMs: q.forfeitedMs,
      usageUnknown: q.usageUnknown,
      resetsUsage: q.resetsUsage,
    },
  };
}

/**
 * A discount code's decision for the JSON API: `null` without a code; else `allowed`, and the code,
 * what it takes off and the price after it, or the machine reason with its message in the caller's language.
 */
export function discountJson(decision: DiscountDecision | null, t: (key: string) => string) {
  if (decision === null) return null;
  if (!decision.allowed) return { allowed: false, reason: decision.reason, message: t(`discounts.reasons.${decision.reason}`) };
  const { quote } = decision;
  return { allowed: true, code: quote.code, original: quote.original, discount: quote.discount, price: quote.price };
}
