import { z } from 'zod';
import { ActorSchema, type JsonObject } from './common.js';
import type { Payment } from './payment.js';

/**
 * One refund at the provider of a payment, as the engine keeps it in the payment's `details.refunds`
 * (by refund id). `requested`: its job is queued. `pending`: the provider took it and finishes later.
 * `succeeded`: the money went back and the ledger reversal (`entryId`, `taken`) is written. `failed`: the
 * provider refused it for good; nothing moved.
 */
export const PaymentRefundRecordSchema = z.object({
  id: z.string().min(1).max(100),
  /** Minor units of the payment's currency. */
  amount: z.number().int().positive(),
  status: z.enum(['requested', 'pending', 'succeeded', 'failed']),
  /** The provider's id of the refund, once it said. */
  refundRef: z.string().max(200).nullable(),
  reason: z.string().max(500).nullable(),
  requestedBy: ActorSchema,
  requestedAt: z.iso.datetime(),
  /** The `payment_reversal` entry that took it from the wallet (`null` when the wallet was empty). */
  entryId: z.string().nullable(),
  /** How much of it left the wallet (`amount` when the balance covered it). */
  taken: z.number().int().nonnegative(),
  /** Why the provider refused it. */
  failure: z.string().max(500).nullable(),
});
/** A refund of a payment (see `PaymentRefundRecordSchema`). */
export type PaymentRefundRecord = z.infer<typeof PaymentRefundRecordSchema>;

/** The refunds recorded on a payment, by id (those that do not parse are skipped: the payment was edited by hand). */
export function refundsOf(payment: Pick<Payment, 'details'>): Record<string, PaymentRefundRecord> {
  const raw = payment.details['refunds'];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, PaymentRefundRecord> = {};
  for (const [id, value] of Object.entries(raw)) {
    const parsed = PaymentRefundRecordSchema.safeParse(value);
    if (parsed.success) out[id] = parsed.data;
  }
  return out;
}

/** How much of a payment its refunds hold or gave back (every refund but a failed one). */
export function refundedAmount(payment: Pick<Payment, 'details'>): number {
  return Object.values(refundsOf(payment))
    .filter((r) => r.status !== 'failed')
    .reduce((sum, r) => sum + r.amount, 0);
}

/** The `details` patch that stores `record` beside the payment's other refunds. */
export function withRefund(payment: Pick<Payment, 'details'>, record: PaymentRefundRecord): JsonObject {
  return { refunds: { ...refundsOf(payment), [record.id]: record } };
}

/** The ledger key of one refund's reversal: each refund takes from the wallet once. */
export function refundReversalKey(refundId: string): string {
  return `payment-refund:${refundId}`;
}
