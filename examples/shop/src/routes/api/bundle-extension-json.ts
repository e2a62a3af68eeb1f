import type { ExtendResult, Subscription } from '@panelkit/sdk';
import type { Shop } from '../../app/shop.js';
import type { BundleExtension } from '../../app/subscriptions/extend.js';
import type { RequestContext } from '../../http/context.js';
import { formatDateTime } from '../../i18n/format.js';
import { quoteJson, subscriptionJson } from './serialize.js';

/**
 * `GET /api/v1/subscriptions/:id/extension` for a part of a bundle of kinds: the asked part's quote with `quote.price`
 * the bundle's total (what paying debits), `bundle.parts` each part's own share and new expiry, and
 * `bundle.everyPart` true (paying extends them all). No `discount`: a bundle takes no code.
 */
export async function bundleQuoteJson(shop: Shop, ctx: RequestContext, subscriptionId: string, parts: readonly Subscription[]) {
  const bundle = await shop.kit.quoteBundleExtension(subscriptionId);
  const asked = bundle.parts.find((part) => part.subscription.id === subscriptionId) ?? bundle.parts[0]!;
  const changeInProgress = (await Promise.all(parts.map((part) => shop.kit.changeInFlight(part.id)))).some(Boolean);
  const partsJson = bundle.parts.map(({ subscription: sub, quote }) => ({
    subscriptionId: sub.id,
    kind: sub.kind,
    price: quote.allowed ? quote.quote.price : null,
    newExpiresAt: quote.allowed ? quote.quote.newExpiresAt.toISOString() : null,
  }));
  if (!bundle.allowed) {
    const { reason, details } = bundle.refused;
    const opensAt: Record<string, string> = details.opensAt
      ? { opensAt: formatDateTime(details.opensAt, ctx.locale, shop.config.timeZone) }
      : {};
    return {
      ...quoteJson(bundle.refused, ctx.t(`extension.reasons.${reason}`, opensAt)),
      discount: null,
      extraDevices: null,
      changeInProgress,
      bundle: { everyPart: true, total: null, parts: partsJson },
    };
  }
  const json = quoteJson(asked.quote, null);
  return {
    ...json,
    ...(json.allowed ? { quote: { ...json.quote, price: bundle.total }, linkChanges: bundle.linkChanges } : {}),
    discount: null,
    extraDevices: bundle.parts.find((part) => part.quote.extraDevices !== null)?.quote.extraDevices ?? null,
    changeInProgress,
    bundle: { everyPart: true, total: bundle.total, parts: partsJson },
  };
}

/** `POST /api/v1/subscriptions/:id/extension`'s answer for a bundle of kinds: the total charged and every part's result. */
export async function bundleExtensionJson(shop: Shop, result: ExtendResult, bundle: BundleExtension) {
  return {
    replayed: result.replayed,
    discount: null,
    linkChanges: bundle.parts.some((part) => part.linkChanges),
    keptDevices: bundle.parts.find((part) => part.keptDevices !== null)?.keptDevices ?? null,
    charged: bundle.charged,
    newExpiresAt: result.quote?.newExpiresAt.toISOString() ?? null,
    subscription: subscriptionJson(result.subscription, { changeInProgress: await shop.kit.changeInFlight(result.subscription.id) }),
    bundle: {
      everyPart: true,
      parts: bundle.parts.map((part) => ({
        subscriptionId: part.subscription.id,
        kind: part.subscription.kind,
        charged: part.entry === null ? null : { amount: -part.entry.amount, currency: part.entry.currency },
        newExpiresAt: part.quote?.newExpiresAt.toISOString() ?? null,
      })),
    },
  };
}
