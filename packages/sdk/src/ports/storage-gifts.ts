import type { Gift, GiftClaim, NewGift } from '../domain/gift.js';

/* The storage port's repository for gifts (see `StoragePort`). */

/** The most gifts one `gifts.listByGiver` or `gifts.listExpiring` call returns. */
export const MAX_GIFTS_PER_LIST = 1000;

/**
 * Gifts: plans paid by one customer for another to claim once. The single use rests on `claim` and `expire`:
 * each changes an unclaimed gift in one conditional step that locks its row, so of any number of claims and
 * expiries racing on one gift (across processes too) exactly one changes it and the others get `null`.
 * In a transaction's lock order a gift comes first, before the customer (as a payment does).
 */
export interface GiftRepository {
  /**
   * Stores a new unclaimed gift. A code already taken, or a second gift under one giver's idempotency key, is a
   * `ConflictError`; a missing giver or plan a `NotFoundError`.
   */
  create(input: NewGift): Promise<Gift>;
  /** The gift, or `null`. */
  get(id: string): Promise<Gift | null>;
  /** The gift with this code (as stored: see `normalizeGiftCode`), or `null`. */
  getByCode(code: string): Promise<Gift | null>;
  /** The giver's gift bought under this idempotency key, or `null`. */
  getByIdempotencyKey(giverId: string, idempotencyKey: string): Promise<Gift | null>;
  /** The giver's gifts, newest first, at most `limit` (default and most {@link MAX_GIFTS_PER_LIST}). */
  listByGiver(giverId: string, limit?: number): Promise<Gift[]>;
  /**
   * Marks an unclaimed gift that has not expired by the storage's clock as claimed by `claimedBy` now, with
   * the order the claim writes (not checked here: the caller writes it in the same transaction). `null`, with
   * nothing changed, when the gift is missing, claimed, expired or past its `expiresAt`.
   */
  claim(input: GiftClaim): Promise<Gift | null>;
  /**
   * Marks an unclaimed gift whose `expiresAt` has passed by the storage's clock as expired now. `null`, with
   * nothing changed, when it is missing, claimed, already expired or not yet due.
   */
  expire(giftId: string): Promise<Gift | null>;
  /** Unclaimed gifts whose `expiresAt` is at or before `at`, soonest first, at most `limit`. */
  listExpiring(at: Date, limit: number): Promise<Gift[]>;
}
