import { z } from 'zod';
import { ActorSchema, IdSchema } from './common.js';
import { CurrencySchema, MoneySchema } from './money.js';

/**
 * Why a partner's payout balance moved. `margin`: a storefront sale's payout credit (the retail collected for the
 * reseller and a tier's bonus) or a refund's reversal of it (a debit, which may take the balance below zero: the
 * partner then owes it back from later sales).
 * `commission`: a referral partner's commission the owner credits (or takes back). `withdrawal_hold`: a withdrawal
 * asked for (a debit, never below zero). `withdrawal_release`: a refused withdrawal's hold given back (a credit).
 * `adjustment`: the owner's signed correction.
 */
export const PAYOUT_ENTRY_KINDS = ['margin', 'commission', 'withdrawal_hold', 'withdrawal_release', 'adjustment'] as const;
/** One of `PAYOUT_ENTRY_KINDS`. */
export type PayoutEntryKind = (typeof PAYOUT_ENTRY_KINDS)[number];

/** Which sign each payout kind's amount must have. */
export const PAYOUT_KIND_SIGN: Readonly<Record<PayoutEntryKind, 'credit' | 'debit' | 'either'>> = Object.freeze({
  margin: 'either',
  commission: 'either',
  withdrawal_hold: 'debit',
  withdrawal_release: 'credit',
  adjustment: 'either',
});

const entryFields = {
  id: IdSchema,
  /** The partner (a reseller, or a referral partner): a customer. Separate from their wallet. */
  partnerId: IdSchema,
  kind: z.enum(PAYOUT_ENTRY_KINDS),
  /** Signed, in integer minor units; never zero. */
  amount: z
    .number()
    .int()
    .min(Number.MIN_SAFE_INTEGER)
    .max(Number.MAX_SAFE_INTEGER)
    .refine((a) => a !== 0, 'amount cannot be zero'),
  currency: CurrencySchema,
  /** Unique across payout entries: appending the same key twice applies it once. */
  idempotencyKey: z.string().min(1).max(200),
  storefrontId: IdSchema.nullable(),
  orderId: IdSchema.nullable(),
  withdrawalId: IdSchema.nullable(),
  note: z.string().max(1000).nullable(),
  actor: ActorSchema,
};

/** One movement of a partner's payout balance; append-only, like the ledger. */
export const PayoutEntrySchema = z.object({
  ...entryFields,
  /** The partner's payout balance in this currency right after this entry. */
  balanceAfter: z.number().int(),
  createdAt: z.date(),
});
/** A payout entry as stored (see `PayoutEntrySchema`). */
export type PayoutEntry = z.infer<typeof PayoutEntrySchema>;

/** Validates a payout entry to append; checks the sign against the kind (`PAYOUT_KIND_SIGN`). */
export const NewPayoutEntrySchema = z
  .object({
    ...entryFields,
    id: IdSchema.optional(),
    storefrontId: entryFields.storefrontId.default(null),
    orderId: entryFields.orderId.default(null),
    withdrawalId: entryFields.withdrawalId.default(null),
    note: entryFields.note.default(null),
  })
  .superRefine((entry, ctx) => {
    const sign = PAYOUT_KIND_SIGN[entry.kind];
    if ((sign === 'credit' && entry.amount < 0) || (sign === 'debit' && entry.amount > 0))
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `a ${entry.kind} entry must be a ${sign}` });
  });
/** Input of `payouts.append`. */
export type NewPayoutEntry = z.input<typeof NewPayoutEntrySchema>;

/**
 * `requested`: asked for, its amount held off the payout balance. `approved`: the owner will pay it. `paid`: paid
 * (final). `refused`: refused with a reason, the hold given back (final).
 */
export const WITHDRAWAL_STATUSES = ['requested', 'approved', 'paid', 'refused'] as const;
/** One of `WITHDRAWAL_STATUSES`. */
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

/** The moves a withdrawal may make; anything else is refused. */
export const WITHDRAWAL_TRANSITIONS: Readonly<Record<WithdrawalStatus, readonly WithdrawalStatus[]>> = Object.freeze({
  requested: ['approved', 'refused'],
  approved: ['paid', 'refused'],
  paid: [],
  refused: [],
});

/** A partner's request to be paid (part of) their payout balance, and what the owner decided. */
export const WithdrawalSchema = z.object({
  id: IdSchema,
  partnerId: IdSchema,
  /** Positive, in integer minor units. */
  amount: MoneySchema.extend({ amount: MoneySchema.shape.amount.positive() }),
  status: z.enum(WITHDRAWAL_STATUSES),
  /** Where the partner wants it paid (a card, an account, a wallet address), as they wrote it. */
  destination: z.string().trim().min(1).max(500),
  /** The partner's key for this request: the same key replays it. */
  idempotencyKey: z.string().min(1).max(200),
  /** Why it was refused; `null` otherwise. */
  reason: z.string().max(1000).nullable(),
  /** The payment's outside reference, once paid. */
  reference: z.string().max(200).nullable(),
  requestedAt: z.date(),
  decidedAt: z.date().nullable(),
  decidedBy: ActorSchema.nullable(),
  paidAt: z.date().nullable(),
  updatedAt: z.date(),
});
/** A withdrawal as stored (see `WithdrawalSchema`). */
export type Withdrawal = z.infer<typeof WithdrawalSchema>;

/** Validates a withdrawal to create (`withdrawals` start `requested`). */
export const NewWithdrawalSchema = WithdrawalSchema.pick({ partnerId: true, amount: true, destination: true, idempotencyKey: true }).extend(
  { id: IdSchema.optional() },
);
/** Input of `payouts.createWithdrawal`. */
export type NewWithdrawal = z.input<typeof NewWithdrawalSchema>;

/** A withdrawal's move, as `payouts.transitionWithdrawal` writes it. */
export const WithdrawalTransitionSchema = z.strictObject({
  to: z.enum(WITHDRAWAL_STATUSES),
  actor: ActorSchema,
  reason: z.string().trim().min(1).max(1000).nullable().default(null),
  reference: z.string().trim().min(1).max(200).nullable().default(null),
});
/** Input of `payouts.transitionWithdrawal`. */
export type WithdrawalTransition = z.input<typeof WithdrawalTransitionSchema>;
