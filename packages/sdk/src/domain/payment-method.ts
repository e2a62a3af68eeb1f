import { z } from 'zod';
import { IdSchema } from './common.js';
import { PaymentSchema } from './payment.js';

/**
 * A payment method a buyer saved with a provider for later, off-session charges (a card, an SBP account
 * bound for autopayments, a Stripe payment method). The provider's reference is stored sealed (never
 * shown, never logged); the buyer sees `label`.
 */
export const SavedPaymentMethodSchema = z.object({
  id: IdSchema,
  customerId: IdSchema,
  providerId: PaymentSchema.shape.providerId,
  /** The provider's reference, sealed with the kit's secret box (`pk1.…`). */
  sealedRef: z.string().min(1).max(4000),
  /**
   * A one-way digest of the provider and reference (hex SHA-256): the same method saved again is one row
   * per customer, told apart without opening any sealed value.
   */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  /** What the buyer recognises it by, without secrets: `Visa •••• 4242`. */
  label: z.string().min(1).max(100),
  /** The buyer allowed it to pay their auto-renewals when the wallet is short. */
  allowRenewal: z.boolean(),
  /** The payment that saved it. */
  paymentId: IdSchema.nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
/** A saved payment method as stored (see `SavedPaymentMethodSchema`). */
export type SavedPaymentMethod = z.infer<typeof SavedPaymentMethodSchema>;

/** Validates a method to save (`paymentMethods.save`); the storage assigns the id and times. */
export const NewSavedPaymentMethodSchema = SavedPaymentMethodSchema.pick({
  customerId: true,
  providerId: true,
  sealedRef: true,
  fingerprint: true,
  label: true,
  allowRenewal: true,
  paymentId: true,
});
/** Input of `paymentMethods.save`. */
export type NewSavedPaymentMethod = z.input<typeof NewSavedPaymentMethodSchema>;

/** A saved method as a buyer or an admin sees it: everything but the sealed reference. */
export type SavedPaymentMethodView = Omit<SavedPaymentMethod, 'sealedRef' | 'fingerprint'>;

/** The saved method without what only the engine may read. */
export function viewOfSavedMethod(method: SavedPaymentMethod): SavedPaymentMethodView {
  const { sealedRef: _sealed, fingerprint: _fingerprint, ...view } = method;
  return view;
}
