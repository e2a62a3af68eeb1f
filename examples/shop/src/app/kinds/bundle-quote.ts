import type { ExtensionQuoteResult, Money, Subscription } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/** One part of a bundle with its own extension quote (its share of the plan's extension price). */
export interface QuotedPart {
  readonly sub: Subscription;
  readonly quote: ExtensionQuoteResult;
}

/** A bundle's extension as one purchase: every part's quote and, when every part may be extended, their total. */
export type BundleQuote =
  | { readonly allowed: true; readonly parts: readonly QuotedPart[]; readonly total: Money; readonly linkChanges: boolean }
  /** `refused` is the first part's refusal: the bundle is extended whole or not at all. */
  | { readonly allowed: false; readonly parts: readonly QuotedPart[]; readonly refused: Extract<ExtensionQuoteResult, { allowed: false }> };

/**
 * Quotes extending every part of a bundle now (`kit.quoteExtension` of each, no discount code: a bundle takes none).
 * The total is the sum of the parts' prices, which is what `kit.extendBundle` debits.
 */
export async function quoteBundleExtension(shop: Shop, parts: readonly Subscription[]): Promise<BundleQuote> {
  const quoted = await Promise.all(parts.map(async (sub) => ({ sub, quote: await shop.kit.quoteExtension(sub.id) })));
  let total: Money | null = null;
  for (const { quote } of quoted) {
    if (!quote.allowed) return { allowed: false, parts: quoted, refused: quote };
    const price = quote.quote.price;
    total = total === null ? { ...price } : { amount: total.amount + price.amount, currency: total.currency };
  }
  if (total === null) throw new Error('a bundle has at least one part');
  return { allowed: true, parts: quoted, total, linkChanges: quoted.some((p) => p.quote.linkChanges) };
}
