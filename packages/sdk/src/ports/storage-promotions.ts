import type { Page, PageRequest } from '../domain/common.js';
import type { DiscountCode, DiscountCodePatch, DiscountRedemption, NewDiscountCode, NewDiscountRedemption } from '../domain/discount.js';
import type { Money } from '../domain/money.js';
import type { NewReferral, Referral, ReferralProgram, ReferralProgramInput, ReferralStats } from '../domain/referral.js';

/* The storage port's repositories for discount codes and referrals (see `StoragePort`). */
/** `discounts.redeem`'s answer: the use taken (or the one this key took before), or why none was. */
export type RedeemResult =
  | { ok: true; redemption: DiscountRedemption /** False when the key had taken a use already: nothing changed. */; created: boolean }
  | { ok: false; reason: 'disabled' | 'wrong_customer' | 'exhausted' | 'customer_exhausted' };

/**
 * Discount codes and their uses. The limits are kept by the storage in one atomic step, so
 * concurrent redemptions from any number of connections never take more uses than a code has, in all
 * or per customer (the last use cannot be taken twice).
 */
export interface DiscountRepository {
  /** The code text is unique (`ConflictError`); a `customerId` names a stored customer (`NotFoundError`). */
  create(input: NewDiscountCode): Promise<DiscountCode>;
  /** The code, or `null`. */
  get(id: string): Promise<DiscountCode | null>;
  /** By its text, normalised as typed (`normalizeDiscountCode`); `null` for text that cannot be a code. */
  getByCode(code: string): Promise<DiscountCode | null>;
  /** Newest first. */
  list(page: PageRequest): Promise<Page<DiscountCode>>;
  /** Applies a strict patch (end, limits, disabled, note); `NotFoundError` when missing. */
  update(id: string, patch: DiscountCodePatch): Promise<DiscountCode>;
  /**
   * Takes one use of the code for the purchase keyed `key`, atomically with its limits: refused
   * (nothing changed) when the code is disabled, made for another customer (`wrong_customer`, port 19), has no
   * use left, or the customer has none left. The
   * same key again returns the use it took (`created: false`), released or not. Missing code or
   * customer: `NotFoundError`.
   */
  redeem(input: NewDiscountRedemption): Promise<RedeemResult>;
  /**
   * Gives back the use keyed `key` (its purchase was refunded): it stops counting against the code's
   * limits. Once: returns the released use the first time, `null` after, or when there is none.
   */
  release(key: string): Promise<DiscountRedemption | null>;
  /** The redemption made under this key (whether released or not), or `null`. */
  getRedemption(key: string): Promise<DiscountRedemption | null>;
  /** Uses of the code by the customer that stand (not released). */
  customerUses(codeId: string, customerId: string): Promise<number>;
}

/**
 * Who referred whom, and the owner's referral program. A customer is referred at most once; a reward
 * moves `pending` → `qualified` → `rewarded` (or `void`) by conditional updates, each step once.
 */
export interface ReferralRepository {
  /** Records a referral: `ConflictError` when the customer was referred already; `ValidationError` for a self-referral. */
  create(input: NewReferral): Promise<Referral>;
  /** The referral of a referred customer. */
  get(referredId: string): Promise<Referral | null>;
  /** A referrer's referrals, newest first. */
  listByReferrer(referrerId: string, page: PageRequest): Promise<Page<Referral>>;
  /** How many customers the referrer brought and what they earned. */
  stats(referrerId: string): Promise<ReferralStats>;
  /**
   * `pending` → `qualified` with the order and reward (or `void` when `reward.amount` is 0). Returns
   * the referral when it changed, `null` when it was not pending.
   */
  qualify(referredId: string, outcome: { orderId: string; reward: Money }): Promise<Referral | null>;
  /** Qualified referrals waiting for their credit, oldest first (served by an index). */
  listQualified(limit: number): Promise<Referral[]>;
  /** `qualified` → `rewarded` with its ledger entry; `null` when it was not qualified. */
  markRewarded(referredId: string, ledgerEntryId: string): Promise<Referral | null>;
  /**
   * Lowers the reward of a `qualified` or `rewarded` referral to `reward` (its order was refunded in
   * part or in full; the money, for a rewarded one, moves by a ledger entry the caller writes). A reward
   * of 0 turns `qualified` into `void` and `rewarded` into `reversed`. Returns the referral when it
   * changed; `null` when it is in another status or `reward` is not below the current one. A reward in
   * another currency than the current one is a `ValidationError`.
   */
  reduceReward(referredId: string, reward: Money): Promise<Referral | null>;
  /** The program, or `null` before the owner set one. */
  getProgram(): Promise<ReferralProgram | null>;
  /** Validates and replaces the referral program; returns it as stored. */
  setProgram(program: ReferralProgramInput): Promise<ReferralProgram>;
}
