import { z } from 'zod';
import { IdSchema } from './common.js';
import { CurrencySchema, MoneySchema, NonNegativeMoneySchema } from './money.js';

const PositiveMoneySchema = MoneySchema.extend({ amount: MoneySchema.shape.amount.positive() });

const entryFields = {
  /** The reseller: a customer who buys at its own prices. */
  customerId: IdSchema,
  planId: IdSchema,
  /** What the reseller pays for a period of the plan (purchase and renewal), in minor units of the plan's currency. */
  price: NonNegativeMoneySchema,
  /**
   * What an extension costs the reseller; `null` scales the plan's extension price by `price / plan.price`
   * (see `priceForBuyer`).
   */
  extensionPrice: NonNegativeMoneySchema.nullable(),
  /** What one GiB of traffic top-up costs the reseller; `null` scales the plan's price per GiB the same way. */
  trafficPricePerGiB: PositiveMoneySchema.nullable(),
};

function oneCurrency(
  entry: { price: { currency: string }; extensionPrice: { currency: string } | null; trafficPricePerGiB: { currency: string } | null },
  ctx: z.RefinementCtx,
): void {
  for (const key of ['extensionPrice', 'trafficPricePerGiB'] as const) {
    const value = entry[key];
    if (value !== null && value.currency !== entry.price.currency)
      ctx.addIssue({ code: 'custom', path: [key, 'currency'], message: 'must be the currency of price' });
  }
}

/**
 * One line of a reseller's price book: the prices one customer buys one plan at, instead of the plan's
 * list prices. Its prices are frozen into the terms of what the reseller buys (`Subscription.terms`),
 * so renewal, extension and traffic top-up of that subscription charge them too.
 */
export const PriceBookEntrySchema = z.object({ ...entryFields, updatedAt: z.date() }).superRefine(oneCurrency);
/** A price book line as stored (see `PriceBookEntrySchema`). */
export type PriceBookEntry = z.infer<typeof PriceBookEntrySchema>;

/** Validates a price book line to set; `extensionPrice` and `trafficPricePerGiB` default to `null` (scaled). */
export const NewPriceBookEntrySchema = z
  .object({
    ...entryFields,
    extensionPrice: entryFields.extensionPrice.default(null),
    trafficPricePerGiB: entryFields.trafficPricePerGiB.default(null),
  })
  .superRefine(oneCurrency);
/** Input of `priceBooks.set`. */
export type NewPriceBookEntry = z.input<typeof NewPriceBookEntrySchema>;

/**
 * A customer's credit limit in one currency: how far below zero the ledger lets its balance go
 * (integer minor units, 0 = no credit). Kept by the storage with the balance, so the ledger refuses
 * a debit past it under the same lock that serialises the customer's appends.
 */
export const CreditLimitSchema = z.object({
  customerId: IdSchema,
  currency: CurrencySchema,
  amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
/** Input of `ledger.setCreditLimit` (see `CreditLimitSchema`). */
export type CreditLimit = z.infer<typeof CreditLimitSchema>;
