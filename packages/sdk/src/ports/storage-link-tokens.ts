/**
 * A link token as a storage keeps it (storage port 20): the random nonce the token is derived from (so the host can
 * show the token again) and the token's SHA-256 in hex (the lookup key). The token itself is never stored.
 */
export interface LinkTokenCandidate {
  /** Random, URL-safe; at most 64 characters. */
  readonly nonce: string;
  /** The SHA-256 of the token derived from `nonce`, 64 lower-case hex digits; unique across customers. */
  readonly tokenHash: string;
}

/**
 * Each customer's one subscription link token (storage port 20): the key a buyer's `/s/<token>` resolves by.
 * The storage keeps the nonce and the token's hash; deriving the token is the SDK's (`kit.links`). Time comes from
 * the storage's clock (`createdAt`, `rotatedAt`).
 */
export interface LinkTokenRepository {
  /**
   * The customer's stored nonce, storing `candidate` first when the customer has none: callers on any connection or
   * replica making the first one at once all get the same nonce (one row per customer). A missing customer is a
   * `NotFoundError`, a bad candidate a `ValidationError`, a hash another customer holds a `ConflictError`; each
   * stores nothing.
   */
  ensure(customerId: string, candidate: LinkTokenCandidate): Promise<string>;
  /**
   * Replaces the customer's nonce and hash with `candidate` (storing it when there was none) in one step: from the
   * moment it returns the old token's hash resolves to nothing. Errors as `ensure`.
   */
  rotate(customerId: string, candidate: LinkTokenCandidate): Promise<void>;
  /** The customer whose current token has this SHA-256 (hex), or `null` (unknown, or rotated away). */
  customerByHash(tokenHash: string): Promise<string | null>;
  /** The ids of customers who have a token, greater than `afterId` (`''` from the start), in id order, at most `limit`. */
  customersAfter(afterId: string, limit: number): Promise<string[]>;
}
