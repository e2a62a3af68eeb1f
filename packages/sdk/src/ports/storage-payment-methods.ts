import type { NewSavedPaymentMethod, SavedPaymentMethod } from '../domain/payment-method.js';

/* The storage port's repository for saved payment methods (see `StoragePort`). */

/**
 * Payment methods buyers saved for off-session charges. One row per `(customerId, providerId,
 * fingerprint)`: saving the same method again refreshes it instead of adding a second.
 */
export interface SavedPaymentMethodRepository {
  /**
   * Saves a method, or, when the customer has one with the same provider and fingerprint, replaces its
   * sealed reference, label and payment (keeping its id and `allowRenewal`) and returns it. Atomic under
   * concurrent saves of the same method (one row). A missing customer is a `NotFoundError`.
   */
  save(input: NewSavedPaymentMethod): Promise<SavedPaymentMethod>;
  /** The method, or `null`. */
  get(id: string): Promise<SavedPaymentMethod | null>;
  /** The customer's methods, oldest first. */
  listByCustomer(customerId: string): Promise<SavedPaymentMethod[]>;
  /** Sets whether it may pay auto-renewals; the changed method, or `null` when there is none with this id. */
  setAllowRenewal(id: string, allowRenewal: boolean): Promise<SavedPaymentMethod | null>;
  /** Deletes it; `false` when there was none. */
  remove(id: string): Promise<boolean>;
}
