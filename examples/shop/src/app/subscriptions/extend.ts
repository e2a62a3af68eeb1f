import type { ExtendResult, Money } from '@panelkit/sdk';
import { InsufficientFundsError } from '@panelkit/sdk';
import { kindBundleOf } from '../kinds/kind-bundle.js';
import type { Shop } from '../shop.js';
import { extensionRefusal, type Refusal } from './refusals.js';

/** A bundle of kinds extended as one purchase: every part's result, and what it debited in all. */
export interface BundleExtension {
  readonly parts: readonly ExtendResult[];
  /** The sum of the parts' debits; `null` on a replay (nothing new was charged) or a free extension. */
  readonly charged: Money | null;
}

/**
 * What extending came to, for every channel alike: the engine's result (for a bundle of kinds, the asked part's, with
 * `bundle` holding every part's), or its refusal (nothing charged).
 */
export type Extension = { ok: true; result: ExtendResult; bundle: BundleExtension | null } | { ok: false; refusal: Refusal };

/** A discount code sent for a bundle: refused on the code's field, nothing charged (a code is for one plan's purchase). */
const BUNDLE_CODE_REFUSAL: Refusal = {
  code: 'conflict',
  key: 'kinds.extension.noDiscount',
  reason: 'bundle_takes_no_discount',
  field: 'discountCode',
};

/**
 * A buyer pays from the wallet for one more period of one of their subscriptions (the caller checked it is
 * theirs): the one use case behind the web page, `POST /api/v1/subscriptions/:id/extension` and the bot's
 * confirm button. The same `idempotencyKey` extends once; a refusal the buyer can act on comes back typed. The
 * extra devices of a device pack fall back to the plan's limit unless `keepExtraDevices` (priced for the new period).
 *
 * A part of a bundle of kinds (its parts sell several kinds) extends the whole bundle through `kit.extendBundle`:
 * every live part at its share, all or none, and no discount code. A built plan's locations (one kind) are still
 * extended part by part, each with its own code.
 */
export async function extendFor(
  shop: Shop,
  customerId: string,
  subscriptionId: string,
  request: { idempotencyKey: string; discountCode?: string | undefined; keepExtraDevices?: boolean | undefined },
): Promise<Extension> {
  const code = request.discountCode === undefined || request.discountCode === '' ? null : request.discountCode;
  const sub = await shop.storage.subscriptions.get(subscriptionId);
  const parts = sub === null ? null : await kindBundleOf(shop, sub);
  const common = {
    subscriptionId,
    idempotencyKey: request.idempotencyKey,
    keepExtraDevices: request.keepExtraDevices === true,
    actor: { type: 'customer' as const, id: customerId },
  };
  if (parts !== null && code !== null) return { ok: false, refusal: BUNDLE_CODE_REFUSAL };
  try {
    if (parts === null) {
      const result = await shop.kit.extend({ ...common, ...(code === null ? {} : { discountCode: code }) });
      return { ok: true, result, bundle: null };
    }
    const extended = await shop.kit.extendBundle(common);
    const result = extended.parts.find((part) => part.subscription.id === subscriptionId) ?? extended.parts[0]!;
    return { ok: true, result, bundle: { parts: extended.parts, charged: chargedOf(extended.parts) } };
  } catch (error) {
    const refusal = extensionRefusal(error);
    if (refusal === null) throw error;
    // One part's shortfall is the bundle's: the buyer needs the whole total, against their balance before any of it.
    if (parts !== null && InsufficientFundsError.is(error) && refusal.funds !== undefined) {
      const quote = await shop.kit.quoteBundleExtension(subscriptionId);
      const balance = await shop.storage.ledger.balance(customerId, refusal.funds.currency);
      if (quote.allowed) refusal.funds = { balance, required: quote.total.amount, currency: refusal.funds.currency };
    }
    return { ok: false, refusal };
  }
}

function chargedOf(parts: readonly ExtendResult[]): Money | null {
  const entries = parts.flatMap((part) => (part.entry === null ? [] : [part.entry]));
  if (entries.length === 0) return null;
  return { amount: entries.reduce((sum, entry) => sum - entry.amount, 0), currency: entries[0]!.currency };
}
