/** A claim of trial identity keys in one plan family (storage port 21); see {@link TrialClaimRepository.claim}. */
export interface TrialClaim {
  /** The plan family the trial is of (1–100 characters). */
  readonly family: string;
  /** The identity keys (`kind:sha256hex`, 1–200 characters each), 1 to 20; duplicates count once. */
  readonly keys: readonly string[];
  /** The customer taking the trial. */
  readonly customerId: string;
}

/** What `trialClaims.claim` answers: every key is now the customer's, or the keys other customers hold (nothing stored). */
export type TrialClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly heldKeys: readonly string[] };

/**
 * Who has had a trial of a plan family, by identity (storage port 21): one row per (family, key), the first
 * customer to claim a key keeping it for good. This is what makes "one trial per person" hold across accounts and
 * replicas: two checkouts of the same person at once cannot both claim a key.
 */
export interface TrialClaimRepository {
  /**
   * Claims every key of `claim.keys` for the customer in the family, all or none. Keys the same customer already
   * holds are fine (a device reconnecting). When another customer holds one, nothing is stored and the answer lists
   * the keys held by others. Concurrent claims of one key by two customers, on any connection or replica: exactly one
   * is `claimed` (the other waits for it to commit or roll back). The wait holds whoever claims (storage port 27): a
   * claim meeting a key another open transaction claimed, for the same customer too, returns only once that
   * transaction has committed or rolled back, and the calls made after it in the claiming transaction see what that
   * one committed. The engine's "one trial per customer and family" rests on it: a customer's second trial checkout
   * claims its account key after the first commits, then reads the first's trial. A missing customer is a
   * `NotFoundError`, bad input a `ValidationError`; each stores nothing. Lock order: inside a transaction, claim before
   * anything else.
   */
  claim(claim: TrialClaim): Promise<TrialClaimResult>;
}
