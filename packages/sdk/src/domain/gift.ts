import { z } from 'zod';
import { IdSchema } from './common.js';
import { CurrencySchema } from './money.js';

/**
 * `unclaimed`: paid, waiting for its recipient. `claimed`: another account took it and owns the subscription
 * its claim ordered. `expired`: nobody claimed it in time; its price went back to the giver's wallet.
 */
export const GIFT_STATUSES = ['unclaimed', 'claimed', 'expired'] as const;
/** One of {@link GIFT_STATUSES}. */
export type GiftStatus = (typeof GIFT_STATUSES)[number];

/** The letters of a gift code: upper case and digits without the ones read alike (0/O, 1/I/L). */
export const GIFT_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** How many letters a gift code has (31^16: not guessable, short enough to read out). */
export const GIFT_CODE_LENGTH = 16;

/** A gift code as stored: {@link GIFT_CODE_LENGTH} letters of {@link GIFT_CODE_ALPHABET}. */
export const GiftCodeSchema = z.string().regex(new RegExp(`^[${GIFT_CODE_ALPHABET}]{${GIFT_CODE_LENGTH}}$`), 'not a gift code');

/**
 * A plan one buyer paid for another: its code is what the giver hands over (as a code or a link), and the account
 * that claims it first owns a new subscription of the plan from the moment of the claim.
 */
export const GiftSchema = z.object({
  id: IdSchema,
  code: GiftCodeSchema,
  /** The customer who paid. */
  giverId: IdSchema,
  planId: IdSchema,
  /** What the giver paid (a `purchase` debit); what goes back to them if it expires. */
  price: z.object({ amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), currency: CurrencySchema }),
  /** The giver's key for this purchase: unique per giver, so a retried purchase finds this gift. */
  idempotencyKey: z.string().min(1).max(200),
  status: z.enum(GIFT_STATUSES),
  createdAt: z.date(),
  /** Unclaimed at this instant, it can no longer be claimed and is refunded to the giver. */
  expiresAt: z.date(),
  /** The customer who claimed it. */
  claimedBy: IdSchema.nullable(),
  claimedAt: z.date().nullable(),
  /** The claimer's order (written in the claim's transaction), holding the gifted subscription. */
  orderId: IdSchema.nullable(),
  /** When it expired and was refunded. */
  expiredAt: z.date().nullable(),
});
/** A gift as stored (see `GiftSchema`). */
export type Gift = z.infer<typeof GiftSchema>;

/** Validates a gift to create (`gifts.create`): unclaimed, its id given; the storage sets `createdAt`. */
export const NewGiftSchema = GiftSchema.pick({
  id: true,
  code: true,
  giverId: true,
  planId: true,
  price: true,
  idempotencyKey: true,
  expiresAt: true,
});
/** Input of `gifts.create`. */
export type NewGift = z.input<typeof NewGiftSchema>;

/** Validates a claim (`gifts.claim`): the gift, who claims it, and the order the claim writes. */
export const GiftClaimSchema = z.strictObject({ giftId: IdSchema, claimedBy: IdSchema, orderId: IdSchema });
/** Input of `gifts.claim`. */
export type GiftClaim = z.input<typeof GiftClaimSchema>;

/**
 * A code as a person typed it, in stored form (trimmed, upper case, spaces and dashes dropped), or `null` when
 * it cannot be a gift code.
 */
export function normalizeGiftCode(typed: string): string | null {
  const code = typed
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
  return GiftCodeSchema.safeParse(code).success ? code : null;
}
