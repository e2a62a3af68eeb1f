import { z } from 'zod';
import { IdSchema, TagSchema } from './common.js';
import { MoneySchema, NonNegativeMoneySchema } from './money.js';

/** What a discount code may be spent on: a new order, an auto-renewal, an extension, a traffic top-up or a plan change. */
export const DISCOUNT_USES = ['purchase', 'renewal', 'extension', 'traffic_top_up', 'plan_change'] as const;
/** One of `DISCOUNT_USES`. */
export const DiscountUseSchema = z.enum(DISCOUNT_USES);
/** See `DiscountUseSchema`. */
export type DiscountUse = z.infer<typeof DiscountUseSchema>;

/**
 * A code as a buyer types it: trimmed and upper-cased, 3–40 of A–Z 0–9 `_` `-`. Codes are compared
 * in this form, so `spring-20` and `SPRING-20` are one code.
 */
export const DiscountCodeTextSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9_-]{2,39}$/, 'a code is 3–40 of A–Z 0–9 _ -'));

/** Normalises a code as typed by a buyer (see `DiscountCodeTextSchema`); `null` when it cannot be a code. */
export function normalizeDiscountCode(text: string): string | null {
  const parsed = DiscountCodeTextSchema.safeParse(text);
  return parsed.success ? parsed.data : null;
}

/** How much a code takes off: a percentage of the price, or a fixed amount (never below zero). */
export const DiscountValueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('percent'), /** 1–100. */ percent: z.number().int().min(1).max(100) }),
  z.object({
    type: z.literal('fixed'),
    /** Taken off the price, at most down to zero. */ amount: MoneySchema.refine((m) => m.amount > 0, 'must be positive'),
  }),
]);
/** See `DiscountValueSchema`. */
export type DiscountValue = z.infer<typeof DiscountValueSchema>;

const codeFields = {
  id: IdSchema,
  code: DiscountCodeTextSchema,
  value: DiscountValueSchema,
  /** Plans it applies to; empty: every plan. */
  planIds: z.array(IdSchema).max(100),
  /** Panel location tags it applies to (`Panel.locationTags`); empty: everywhere. */
  locations: z.array(TagSchema).max(64),
  /** The smallest price (before the discount) it applies to; `null`: any. */
  minAmount: NonNegativeMoneySchema.nullable(),
  /** Valid from this instant (inclusive); `null`: from its creation. */
  startsAt: z.date().nullable(),
  /** Valid until this instant (exclusive); `null`: no end. */
  endsAt: z.date().nullable(),
  /** Uses in all; `null`: unlimited. */
  maxUses: z.number().int().min(1).nullable(),
  /** Uses per customer; `null`: unlimited. */
  maxUsesPerCustomer: z.number().int().min(1).nullable(),
  /** Only for a customer's first paid order (purchases only). */
  firstPurchaseOnly: z.boolean(),
  /**
   * The one customer who may use it (a code made for one buyer, e.g. a win-back offer); `null`: anyone. Another
   * customer entering it is refused (`wrong_customer`) and the code stays usable by its owner.
   */
  customerId: IdSchema.nullable(),
  /** What it may be spent on; at least one. */
  appliesTo: z.array(DiscountUseSchema).min(1).max(DISCOUNT_USES.length),
  /** A disabled code is refused everywhere; uses already taken stand. */
  disabled: z.boolean(),
  /** Free text for staff. */
  note: z.string().max(500).nullable(),
};

/**
 * A discount code. `uses` counts the redemptions that stand (a released one no longer counts); only
 * the storage's `discounts.redeem` / `release` move it.
 */
export const DiscountCodeSchema = z.object({
  ...codeFields,
  uses: z.number().int().nonnegative(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** See `DiscountCodeSchema`. */
export type DiscountCode = z.infer<typeof DiscountCodeSchema>;

/** A new code; the code text must be unused (`ConflictError`), and its `customerId`, when given, a customer (`NotFoundError`). */
export const NewDiscountCodeSchema = z
  .object({
    ...codeFields,
    id: IdSchema.optional(),
    planIds: codeFields.planIds.default([]),
    locations: codeFields.locations.default([]),
    minAmount: codeFields.minAmount.default(null),
    startsAt: codeFields.startsAt.default(null),
    endsAt: codeFields.endsAt.default(null),
    maxUses: codeFields.maxUses.default(null),
    maxUsesPerCustomer: codeFields.maxUsesPerCustomer.default(null),
    firstPurchaseOnly: codeFields.firstPurchaseOnly.default(false),
    customerId: codeFields.customerId.default(null),
    appliesTo: codeFields.appliesTo.default(['purchase']),
    disabled: codeFields.disabled.default(false),
    note: codeFields.note.default(null),
  })
  .refine((c) => c.startsAt === null || c.endsAt === null || c.startsAt < c.endsAt, { path: ['endsAt'], message: 'must be after startsAt' })
  .refine((c) => c.value.type !== 'fixed' || c.minAmount === null || c.minAmount.currency === c.value.amount.currency, {
    path: ['minAmount'],
    message: 'must be in the currency of the fixed amount',
  });
/** See `NewDiscountCodeSchema`. */
export type NewDiscountCode = z.input<typeof NewDiscountCodeSchema>;

/** What an admin may change on a code after creating it (the code text and its value stay). */
export const DiscountCodePatchSchema = z
  .strictObject({
    disabled: codeFields.disabled,
    endsAt: codeFields.endsAt,
    maxUses: codeFields.maxUses,
    maxUsesPerCustomer: codeFields.maxUsesPerCustomer,
    note: codeFields.note,
  })
  .partial();
/** See `DiscountCodePatchSchema`. */
export type DiscountCodePatch = z.input<typeof DiscountCodePatchSchema>;

const redemptionFields = {
  codeId: IdSchema,
  customerId: IdSchema,
  /**
   * Unique: the idempotency key of the purchase the code was spent on (the ledger key of its debit,
   * e.g. `purchase:order:<id>`). Releasing is by this key.
   */
  key: z.string().min(1).max(200),
  use: DiscountUseSchema,
  orderId: IdSchema.nullable(),
  subscriptionId: IdSchema.nullable(),
  /** How much it took off. */
  discount: NonNegativeMoneySchema,
};

/** One use of a code. A released use (its purchase refunded) no longer counts against the limits. */
export const DiscountRedemptionSchema = z.object({
  ...redemptionFields,
  id: IdSchema,
  releasedAt: z.date().nullable(),
  createdAt: z.date(),
});
/** See `DiscountRedemptionSchema`. */
export type DiscountRedemption = z.infer<typeof DiscountRedemptionSchema>;

/** What `discounts.redeem` takes. */
export const NewDiscountRedemptionSchema = z.object({
  ...redemptionFields,
  orderId: redemptionFields.orderId.default(null),
  subscriptionId: redemptionFields.subscriptionId.default(null),
});
/** See `NewDiscountRedemptionSchema`. */
export type NewDiscountRedemption = z.input<typeof NewDiscountRedemptionSchema>;
