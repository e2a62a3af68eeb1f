import type { Page, PageRequest } from '../domain/common.js';
import type { NewPayment, Payment, PaymentPatch, PaymentStatus } from '../domain/payment.js';

/* The storage port's repository for payment intents (see `StoragePort`). */

/** `payments.create`'s answer: the payment made, or why none was (then nothing changed). */
export type CreatePaymentResult =
  | { ok: true; payment: Payment }
  /** The provider's external reference, or the customer's request key with this provider, was used before: `existing` holds it. */
  | { ok: false; reason: 'duplicate'; existing: Payment }
  /** The customer has `maxPending` payments of this provider `pending` already. */
  | { ok: false; reason: 'too_many_pending'; pending: number };

/** Which payments `payments.list` returns. */
export interface PaymentFilter {
  customerId?: string;
  providerId?: string;
  statuses?: readonly PaymentStatus[];
  /** Created at or after this instant. */
  createdFrom?: Date;
  /** Created before this instant. */
  createdBefore?: Date;
  /**
   * Matches when any one of the given holds (an admin's search box): the buyer is one of `customerIds`,
   * the external reference contains `externalRefContains`, or the amount is exactly `amount`.
   */
  anyOf?: { customerIds?: readonly string[]; externalRefContains?: string; amount?: number };
}

/**
 * Payment intents. Every change of status is one conditional step (`transition`), so of any number of
 * concurrent confirmations, from any connection or replica, exactly one moves a payment out of a
 * status; the others get `null` and read what won.
 */
export interface PaymentRepository {
  /**
   * Records a `pending` payment, atomically with its limits: a used `(providerId, externalRef)` or
   * `(customerId, providerId, requestKey)` is refused with the payment that holds it, and with
   * `maxPending` set, a customer who has that many `pending` payments of the provider is refused, even
   * when several of their requests race on several connections. A missing customer is a `NotFoundError`.
   */
  create(input: NewPayment, limits: { maxPending: number | null }): Promise<CreatePaymentResult>;
  /**
   * Stores a payment exactly as given (carrying over a host's older payments). Once: an id already
   * stored returns `false` and changes nothing. `ConflictError` when another payment holds its
   * external reference or request key.
   */
  import(payment: Payment): Promise<boolean>;
  /** The payment, or `null`. */
  get(id: string): Promise<Payment | null>;
  /** The payment the provider knows by this reference, or `null`. */
  getByExternalRef(providerId: string, externalRef: string): Promise<Payment | null>;
  /**
   * Applies `patch` if the payment's status is one of `from`, in one atomic step that waits for any
   * other transition of the same payment; returns the changed payment, or `null` when its status was
   * not in `from` (or it does not exist). `details` is merged into the stored details. Locks the
   * payment row before anything else in the transaction (see `StoragePort.transaction`).
   */
  transition(id: string, from: readonly PaymentStatus[], patch: PaymentPatch): Promise<Payment | null>;
  /** Newest first. */
  list(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>>;
  /** `pending` payments whose `expiresAt` is at or before `at`, oldest expiry first, at most `limit`. */
  listExpiring(at: Date, limit: number): Promise<Payment[]>;
  /** How many of the customer's payments with this provider are `pending`. */
  countPending(customerId: string, providerId: string): Promise<number>;
}
