import { ConflictError, type Actor, type Money } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/** The owner's reseller form, parsed: amounts in minor units of the shop's currency, `null` for a blank field. */
export interface ResellerTermsForm {
  customerId: string;
  /** The credit limit; blank (`null`) is none. */
  creditLimit: number | null;
  /** The reseller's price per plan; blank (`null`) takes the plan out of its price book (list prices again). */
  prices: ReadonlyMap<string, number | null>;
}

/** Saved, or refused because the limit is below what the customer owes now (`owed`, positive). */
export type ResellerTermsSaved = { ok: true } | { ok: false; owed: Money };

/**
 * Saves a customer's reseller terms from the owner's form through the kit's `resellers.setTerms`: the credit
 * limit and every changed price in one transaction, each change audited under the owner's name, unchanged
 * ones not written. A line's extension and traffic prices (set through the SDK, not on this form) are kept.
 * A limit below the debt is refused and writes nothing, the prices included.
 */
export async function saveResellerTerms(shop: Shop, form: ResellerTermsForm, actor: Actor): Promise<ResellerTermsSaved> {
  const { currency } = shop.config;
  const { customerId } = form;
  const stored = new Map((await shop.kit.resellers.priceBook(customerId)).map((line) => [line.planId, line]));
  const prices = [];
  const removePlanIds = [];
  for (const [planId, amount] of form.prices) {
    if (amount === null) removePlanIds.push(planId);
    else {
      const line = stored.get(planId);
      prices.push({
        planId,
        price: { amount, currency },
        extensionPrice: line?.extensionPrice ?? null,
        trafficPricePerGiB: line?.trafficPricePerGiB ?? null,
      });
    }
  }
  try {
    await shop.kit.resellers.setTerms(
      { customerId, creditLimit: { amount: form.creditLimit ?? 0, currency }, prices, removePlanIds },
      actor,
    );
    return { ok: true };
  } catch (error) {
    if (!ConflictError.is(error)) throw error;
    return { ok: false, owed: { amount: -(await shop.storage.ledger.balance(customerId, currency)), currency } };
  }
}
