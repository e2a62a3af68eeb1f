import type { Money } from '../domain/money.js';
import type { Subscription } from '../domain/subscription.js';
import { NotFoundError } from '../errors.js';
import { bundleParts } from './bundle-extension.js';
import type { EngineContext } from './context.js';
import { type ExtensionQuoteResult, quoteExtension } from './extension.js';

/** One live part of a bundle and its own extension quote (its share of the plan's extension price). */
export interface BundlePartQuote {
  subscription: Subscription;
  quote: ExtensionQuoteResult;
}

/**
 * What `kit.quoteBundleExtension` answers: every live part's quote and, when every part may be extended now, the
 * total `kit.extendBundle` would debit and whether any part's link changes; otherwise the first part's refusal (a
 * bundle is extended whole or not at all).
 */
export type BundleExtensionQuote =
  | { allowed: true; parts: BundlePartQuote[]; total: Money; linkChanges: boolean }
  | { allowed: false; parts: BundlePartQuote[]; refused: Extract<ExtensionQuoteResult, { allowed: false }> };

/**
 * The live parts of the bundle the subscription belongs to (those `kit.extendBundle` extends: not failed, not
 * terminated), in creation order; the subscription alone when it is in no bundle. `NotFoundError` for an unknown id.
 */
export async function liveBundleParts(ctx: EngineContext, subscriptionId: string): Promise<Subscription[]> {
  return bundleParts(ctx.storage, await subscriptionOf(ctx, subscriptionId));
}

async function subscriptionOf(ctx: EngineContext, subscriptionId: string): Promise<Subscription> {
  const sub = await ctx.storage.subscriptions.get(subscriptionId);
  if (sub === null) throw new NotFoundError('subscription', subscriptionId);
  return sub;
}

/**
 * Quotes extending every live part of the subscription's bundle now, as `kit.extendBundle` would: each part's
 * `quoteExtension` (no discount code: a bundle takes none), and their prices summed. Reads only.
 */
export async function quoteBundleExtension(ctx: EngineContext, subscriptionId: string): Promise<BundleExtensionQuote> {
  const sub = await subscriptionOf(ctx, subscriptionId);
  const live = await bundleParts(ctx.storage, sub);
  // Every part ended: the subscription's own quote says why it cannot be extended.
  const parts = live.length > 0 ? live : [sub];
  const quoted = await Promise.all(
    parts.map(async (subscription) => ({ subscription, quote: await quoteExtension(ctx, subscription.id) })),
  );
  let total: Money | null = null;
  for (const { quote } of quoted) {
    if (!quote.allowed) return { allowed: false, parts: quoted, refused: quote };
    const price = quote.quote.price;
    total = total === null ? { ...price } : { amount: total.amount + price.amount, currency: total.currency };
  }
  if (total === null) throw new Error('a bundle quote has at least one part');
  return { allowed: true, parts: quoted, total, linkChanges: quoted.some((p) => p.quote.linkChanges) };
}
