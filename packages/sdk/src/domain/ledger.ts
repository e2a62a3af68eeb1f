import { z } from 'zod';
import { ActorSchema, IdSchema } from './common.js';
import { CurrencySchema } from './money.js';

/**
 * `traffic_top_up`: extra GiB bought for a subscription. `plan_change`: the prorated charge of a plan
 * change (a debit), or the unused value a downgrade gives back (a credit, once the change is applied).
 * `referral`: a referrer's reward for a referred customer's first paid order (a credit), or the part of
 * it a refund of that order took back within the program's window (a debit).
 * `payment_reversal`: a credited payment the gateway refunded or the buyer charged back (a debit).
 * `device_pack`: extra devices bought for a subscription's current period (a debit, its order's payment).
 * `wholesale`: what a reseller pays for a sale of their storefront at their price book (a debit on the reseller's
 * wallet, naming the buyer's order), or a refund's reversal of it (a credit). Not a sales kind: the buyer's purchase is.
 */
export const LEDGER_KINDS = [
  'top_up',
  'purchase',
  'extension',
  'refund',
  'adjustment',
  'traffic_top_up',
  'plan_change',
  'referral',
  'payment_reversal',
  'device_pack',
  'wholesale',
] as const;
/** One of `LEDGER_KINDS`. */
export const LedgerKindSchema = z.enum(LEDGER_KINDS);
/** One of `LEDGER_KINDS`: why money moved. */
export type LedgerKind = z.infer<typeof LedgerKindSchema>;

/** Which sign each kind's amount must have: credits are positive, debits negative. */
export const LEDGER_KIND_SIGN: Readonly<Record<LedgerKind, 'credit' | 'debit' | 'either'>> = Object.freeze({
  top_up: 'credit',
  refund: 'credit',
  purchase: 'debit',
  extension: 'debit',
  adjustment: 'either',
  traffic_top_up: 'debit',
  plan_change: 'either',
  referral: 'either',
  payment_reversal: 'debit',
  device_pack: 'debit',
  wholesale: 'either',
});

/**
 * The bounds of a ledger entry's fields: what `NewLedgerEntrySchema` checks, and what the storages' hand check of a
 * placement's debit (`parsePlacement`) checks without zod.
 */
export const LEDGER_FIELD_RULES = {
  keyMaxLength: 200,
  referenceMaxLength: 200,
  noteMaxLength: 1000,
} as const;

/** Whether an amount has the sign its kind asks (`LEDGER_KIND_SIGN`); zero is refused apart. */
export function amountFitsKind(kind: LedgerKind, amount: number): boolean {
  const sign = LEDGER_KIND_SIGN[kind];
  return !((sign === 'credit' && amount < 0) || (sign === 'debit' && amount > 0));
}

const entryFields = {
  id: IdSchema,
  customerId: IdSchema,
  kind: LedgerKindSchema,
  /** Signed, in minor units: positive adds to the balance, negative takes from it. Never zero. */
  amount: z
    .number()
    .int()
    .min(Number.MIN_SAFE_INTEGER)
    .max(Number.MAX_SAFE_INTEGER)
    .refine((a) => a !== 0, 'amount cannot be zero'),
  currency: CurrencySchema,
  /** Unique across the ledger: appending the same key twice applies it once. */
  idempotencyKey: z.string().min(1).max(LEDGER_FIELD_RULES.keyMaxLength),
  orderId: IdSchema.nullable(),
  subscriptionId: IdSchema.nullable(),
  /** An outside reference: a payment id, a receipt number. */
  reference: z.string().max(LEDGER_FIELD_RULES.referenceMaxLength).nullable(),
  note: z.string().max(LEDGER_FIELD_RULES.noteMaxLength).nullable(),
  actor: ActorSchema,
};

/** One movement of money. Entries are never edited or deleted; a mistake is corrected by another entry. */
export const LedgerEntrySchema = z.object({
  ...entryFields,
  /**
   * The customer's balance in this currency right after this entry: never below zero, except down to
   * minus the customer's credit limit (`ledger.setCreditLimit`) for a customer that has one.
   */
  balanceAfter: z.number().int(),
  createdAt: z.date(),
});
/** A ledger entry as stored (see `LedgerEntrySchema`); `amount` and `balanceAfter` in integer minor units. */
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** Validates an entry to append; checks the amount's sign against its kind (`LEDGER_KIND_SIGN`). */
export const NewLedgerEntrySchema = z
  .object({
    ...entryFields,
    id: IdSchema.optional(),
    orderId: entryFields.orderId.default(null),
    subscriptionId: entryFields.subscriptionId.default(null),
    reference: entryFields.reference.default(null),
    note: entryFields.note.default(null),
  })
  .superRefine((entry, ctx) => {
    if (!amountFitsKind(entry.kind, entry.amount)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `a ${entry.kind} entry must be a ${LEDGER_KIND_SIGN[entry.kind]}` });
    }
  });
/** Input of `ledger.append`. */
export type NewLedgerEntry = z.input<typeof NewLedgerEntrySchema>;
