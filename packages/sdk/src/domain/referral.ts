import { z } from 'zod';
import { IdSchema } from './common.js';
import { MoneySchema, NonNegativeMoneySchema } from './money.js';

/**
 * The owner's referral settings. The reward is wallet credit for the referrer, paid once per referred
 * customer after that customer's first paid order is active: a fixed amount, or a share of what that
 * order finally cost (after any discount, less what was refunded for it by then, e.g. units that
 * failed), rounded down, at most `maxAmount` when set. A refund of that order within
 * `refundWindowDays` of the order takes back the same part of the reward (`referralRewardAfterRefund`)
 * by a ledger entry on the referrer's wallet.
 */
export const ReferralProgramSchema = z.object({
  enabled: z.boolean(),
  reward: z.discriminatedUnion('type', [
    z.object({ type: z.literal('fixed'), amount: MoneySchema.refine((m) => m.amount > 0, 'must be positive') }),
    z.object({
      type: z.literal('share'),
      /** 1–100 percent of the first paid order's total. */
      percent: z.number().int().min(1).max(100),
      /** A cap on one reward, in the order's currency; `null`: none. */
      maxAmount: NonNegativeMoneySchema.nullable().default(null),
    }),
  ]),
  /**
   * Days after the rewarding order was placed during which a refund of it reverses the reward (in the
   * share the refund returns); a refund after that leaves the reward as it is. Default 30.
   */
  refundWindowDays: z.number().int().min(0).max(3650).default(30),
});
/** See `ReferralProgramSchema`. */
export type ReferralProgram = z.infer<typeof ReferralProgramSchema>;
/** What `referrals.setProgram` takes (defaults filled in). */
export type ReferralProgramInput = z.input<typeof ReferralProgramSchema>;

/**
 * `pending`: signed up through the link, no paid order active yet. `qualified`: the first paid order
 * is active and the reward is fixed; the scheduler credits it. `rewarded`: credited (once, by the
 * ledger key `referral:<referredId>`). `void`: the program was off or the reward came to zero (also a
 * qualified one whose order was refunded in full before the credit). `reversed`: credited, then
 * taken back in full because the rewarding order was refunded within the program's window; it no
 * longer counts as rewarded.
 */
export const REFERRAL_STATUSES = ['pending', 'qualified', 'rewarded', 'void', 'reversed'] as const;
/** One of `REFERRAL_STATUSES`. */
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** A customer who signed up through another's referral link: at most one per referred customer. */
export const ReferralSchema = z.object({
  referredId: IdSchema,
  referrerId: IdSchema,
  status: z.enum(REFERRAL_STATUSES),
  /** The first paid order, once it is active. */
  orderId: IdSchema.nullable(),
  /** The credit owed or paid; set when it qualifies, lowered when a refund of the order takes part of it back. */
  reward: NonNegativeMoneySchema.nullable(),
  ledgerEntryId: IdSchema.nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** See `ReferralSchema`. */
export type Referral = z.infer<typeof ReferralSchema>;

/** What `referrals.create` takes. */
export const NewReferralSchema = z
  .object({ referredId: IdSchema, referrerId: IdSchema })
  .refine((r) => r.referredId !== r.referrerId, { path: ['referrerId'], message: 'a customer cannot refer itself' });
/** See `NewReferralSchema`. */
export type NewReferral = z.input<typeof NewReferralSchema>;

/** A referrer's totals for its page. */
export interface ReferralStats {
  /** Customers who signed up through its link. */
  referred: number;
  /** Of them, those whose reward was credited and stands (not reversed). */
  rewarded: number;
  /** What was credited and stands (less what refunds took back), per currency (ordered by currency). */
  earned: { amount: number; currency: string }[];
}
