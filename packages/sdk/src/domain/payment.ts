import { z } from 'zod';
import { ActorSchema, IdSchema, JsonObjectSchema } from './common.js';
import { CurrencySchema } from './money.js';

/**
 * Where a payment (intent) stands. `pending`: waiting for the money or a decision. `credited`: the
 * wallet has it (one `top_up` ledger entry under `paymentLedgerKey`). `rejected`: an admin or the
 * gateway said no. `expired`: nobody paid in time. `cancelled`: the buyer gave up. `reversed`: credited,
 * then the gateway refunded it or the buyer charged it back (a `payment_reversal` ledger entry).
 */
export const PAYMENT_STATUSES = ['pending', 'credited', 'rejected', 'expired', 'cancelled', 'reversed'] as const;
/** One of `PAYMENT_STATUSES`. */
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * How a payment was confirmed (or may be, as a provider's capability). `instant`: credited when made
 * (a test provider). `gateway`: a verified callback or verify call from the provider. `admin_approval`:
 * an admin checked a receipt and approved it. `admin_mark_paid`: an admin said a gateway's payment was
 * paid, explicitly overriding the gateway (its later callback then finds it credited).
 */
export const PAYMENT_CONFIRMATIONS = ['instant', 'gateway', 'admin_approval', 'admin_mark_paid'] as const;
/** One of `PAYMENT_CONFIRMATIONS`. */
export type PaymentConfirmation = (typeof PAYMENT_CONFIRMATIONS)[number];

/** A provider's reference for a payment: its invoice or authority id, or a receipt's normalised number. */
export const ExternalRefSchema = z.string().min(1).max(200);

/** A stored payment intent. Money moves only in the ledger; this row says whether it did and why. */
export const PaymentSchema = z.object({
  id: IdSchema,
  customerId: IdSchema,
  /** The provider's id (`card`, `crypto`, `zarinpal`, …). */
  providerId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/),
  /** Positive, integer minor units. */
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: CurrencySchema,
  status: z.enum(PAYMENT_STATUSES),
  /** Unique per provider when set: one gateway invoice, one receipt, one payment. */
  externalRef: ExternalRefSchema.nullable(),
  /** Unique per customer and provider when set: the form or request that made it, sent twice, is one payment. */
  requestKey: z.string().min(1).max(200).nullable(),
  /** What the provider keeps beside the amount (a receipt's card digits, the pay page's URL). */
  details: JsonObjectSchema,
  /** When a `pending` payment stops waiting (`null`: never). */
  expiresAt: z.date().nullable(),
  /** How it was credited, once it was. */
  confirmation: z.enum(PAYMENT_CONFIRMATIONS).nullable(),
  /** The `top_up` entry that credited it. */
  ledgerEntryId: IdSchema.nullable(),
  /** The `payment_reversal` entry that took it back (`null` too when the wallet was empty then). */
  reversalEntryId: IdSchema.nullable(),
  /** Who made the last decision on it (an admin, the buyer, the gateway as `system`). */
  decidedBy: ActorSchema.nullable(),
  /** A reviewer's or gateway's note on the last decision. */
  note: z.string().max(1000).nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** A payment intent as stored (see `PaymentSchema`). */
export type Payment = z.infer<typeof PaymentSchema>;

/** Validates a payment to record: `pending` always (crediting is a transition); the storage assigns times. */
export const NewPaymentSchema = z.object({
  /** Given by the engine when a gateway had to know the id before the row existed. */
  id: IdSchema.optional(),
  customerId: IdSchema,
  providerId: PaymentSchema.shape.providerId,
  amount: PaymentSchema.shape.amount,
  currency: CurrencySchema,
  externalRef: ExternalRefSchema.nullable().default(null),
  requestKey: PaymentSchema.shape.requestKey.default(null),
  details: JsonObjectSchema.default({}),
  expiresAt: z.date().nullable().default(null),
});
/** Input of `payments.create`. */
export type NewPayment = z.input<typeof NewPaymentSchema>;

/** Validates a payment carried over as it was (`payments.import`): any status, its own times. */
export const ImportedPaymentSchema = PaymentSchema;

/** The fields a transition may set beside the status. */
export const PaymentPatchSchema = z
  .object({
    status: z.enum(PAYMENT_STATUSES),
    externalRef: ExternalRefSchema,
    details: JsonObjectSchema,
    confirmation: z.enum(PAYMENT_CONFIRMATIONS),
    ledgerEntryId: IdSchema,
    reversalEntryId: IdSchema,
    decidedBy: ActorSchema,
    note: z.string().max(1000).nullable(),
  })
  .partial()
  .strict();
/** A transition's changes (`payments.transition`); `details` is merged into the stored details. */
export type PaymentPatch = z.input<typeof PaymentPatchSchema>;

/** The one ledger key a payment's credit is written under: however often it is confirmed, the wallet moves once. */
export function paymentLedgerKey(paymentId: string): string {
  return `payment:${paymentId}`;
}

/** The one ledger key of a payment's reversal. */
export function paymentReversalKey(paymentId: string): string {
  return `payment-reversal:${paymentId}`;
}
