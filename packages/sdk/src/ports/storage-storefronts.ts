import type { Page, PageRequest } from '../domain/common.js';
import type { Customer } from '../domain/customer.js';
import type { Money } from '../domain/money.js';
import type { NewPayoutEntry, NewWithdrawal, PayoutEntry, Withdrawal, WithdrawalStatus, WithdrawalTransition } from '../domain/payout.js';
import type {
  MenuItem,
  NewMenuItem,
  NewStorefront,
  NewStorefrontSale,
  Storefront,
  StorefrontPatch,
  StorefrontSale,
  StorefrontStatus,
  StorefrontUsage,
} from '../domain/storefront.js';

/** What `storefronts.recordSale` wrote, or found under the same idempotency key. */
export interface StorefrontSaleResult {
  sale: StorefrontSale;
  /** False when a sale with this key existed (it is returned, nothing is written). */
  created: boolean;
}

/** One storefront's totals over a period, as `storefronts.figures` counts them from its sales. */
export interface StorefrontPeriodTotals {
  storefrontId: string;
  /** Sales (kind `sale`) in the period. */
  sales: number;
  /** Refunds (kind `refund`) in the period. */
  refunds: number;
  /** Net per currency (sales less refunds), ordered by currency; the currencies with any row in the period. */
  retail: Money[];
  wholesale: Money[];
  margin: Money[];
  bonus: Money[];
}

/**
 * Resellers' storefronts, their menus, their buyers and the record of their sales. Port version 21 (`salesOfCharge`, and sales of charges without an order: 22).
 *
 * Lock order: `lockForSale` locks the storefront, then its reseller's customer row (the lock `ledger.append` takes),
 * and comes first in a storefront sale: before the buyer's customer, capacity, the order, and payouts.
 */
export interface StorefrontRepository {
  /**
   * Validates and stores a storefront. A reseller has at most one (`ConflictError` for a second); a missing reseller
   * is a `NotFoundError`; a reseller who is a buyer of a storefront is a `ValidationError`.
   */
  create(input: NewStorefront): Promise<Storefront>;
  /** The storefront, or `null`. */
  get(id: string): Promise<Storefront | null>;
  /** The reseller's storefront, or `null`. */
  getByReseller(resellerId: string): Promise<Storefront | null>;
  /** Ordered by name, then id. */
  list(filter?: { status?: StorefrontStatus }): Promise<Storefront[]>;
  /** Applies a strict patch; `NotFoundError` when missing. */
  update(id: string, patch: StorefrontPatch): Promise<Storefront>;
  /**
   * Locks the storefront and then its reseller's customer row to the end of the transaction, and returns it
   * (`null` when missing, nothing locked). A storefront's sales run one at a time through this lock, so quotas and
   * the wholesale debit are judged on what the previous sale left.
   */
  lockForSale(id: string): Promise<Storefront | null>;
  /**
   * Writes the menu line for `(storefrontId, planId)`, replacing the one there was. A missing storefront or plan is a
   * `NotFoundError`. (The engine checks the currency against the plan.)
   */
  setMenuItem(input: NewMenuItem): Promise<MenuItem>;
  /** Removes the line; whether there was one. */
  removeMenuItem(storefrontId: string, planId: string): Promise<boolean>;
  /** The line, or `null` (the plan is not sold there). */
  getMenuItem(storefrontId: string, planId: string): Promise<MenuItem | null>;
  /** Every line, ordered by plan id. */
  menu(storefrontId: string): Promise<MenuItem[]>;
  /**
   * Makes the customer a buyer of the storefront (`null`: of the owner's own shop) and returns it. A missing customer
   * or storefront is a `NotFoundError`; a reseller of a storefront cannot be a buyer of one (`ValidationError`).
   * Locks the customer's row.
   */
  assignBuyer(customerId: string, storefrontId: string | null): Promise<Customer>;
  /** The storefront's buyers, newest first. */
  listBuyers(storefrontId: string, page: PageRequest): Promise<Page<Customer>>;
  /** How many buyers the storefront has. */
  countBuyers(storefrontId: string): Promise<number>;
  /** What the storefront's buyers hold now (see `StorefrontUsage`). */
  usage(storefrontId: string): Promise<StorefrontUsage>;
  /**
   * Records a sale's or refund's split once per idempotency key (`created: false` and the stored one after; the same
   * key for another order, charge, kind or retail amount is an `IdempotencyConflictError`). A missing storefront,
   * customer, order or subscription is a `NotFoundError`.
   */
  recordSale(input: NewStorefrontSale): Promise<StorefrontSaleResult>;
  /** The order's sale and refund rows, oldest first (empty for an order not sold by a storefront). */
  salesOfOrder(orderId: string): Promise<StorefrontSale[]>;
  /** The sale and refund rows of a charge with no order (`StorefrontSale.chargeKey`), oldest first; empty when none. Port version 22. */
  salesOfCharge(chargeKey: string): Promise<StorefrontSale[]>;
  /** How many sales (kind `sale`) the storefront recorded at or after `since`. */
  countSales(storefrontId: string, since: Date): Promise<number>;
  /**
   * Each storefront's totals over `[from, to)` (its sales' `createdAt`), one row a storefront with any sale or refund
   * in the period (or only `storefrontId`'s), ordered by storefront id.
   */
  figures(query: { from: Date; to: Date; storefrontId?: string }): Promise<StorefrontPeriodTotals[]>;
}

/** What `payouts.append` wrote, or found under the same idempotency key. */
export interface PayoutAppendResult {
  entry: PayoutEntry;
  created: boolean;
}

/** What `payouts.createWithdrawal` wrote (with its hold), or found under the partner's key. */
export interface WithdrawalCreateResult {
  withdrawal: Withdrawal;
  created: boolean;
}

/**
 * Partners' payout balances (an append-only ledger of their own, apart from wallets) and their withdrawals. Port
 * version 21. Every write locks the partner's payout account (in PostgreSQL a row per partner and currency), taken
 * last in any transaction that also writes the ledger.
 */
export interface PayoutRepository {
  /**
   * Appends an entry under the partner's payout lock. A key already used with the same partner, kind, amount and
   * currency returns that entry (`created: false`); with other content it is an `IdempotencyConflictError`. A
   * `withdrawal_hold` that would take the balance below zero is an `InsufficientFundsError`; a `margin` or
   * `adjustment` debit may take it below zero (owed back). A missing partner is a `NotFoundError`.
   */
  append(input: NewPayoutEntry): Promise<PayoutAppendResult>;
  /** The partner's payout balance in `currency`, in integer minor units (0 without entries). */
  balance(partnerId: string, currency: string): Promise<number>;
  /** Every currency the partner has payout entries in, ordered by currency. */
  balances(partnerId: string): Promise<Money[]>;
  /** Newest first. */
  list(partnerId: string, page: PageRequest): Promise<Page<PayoutEntry>>;
  /**
   * Creates a `requested` withdrawal and its `withdrawal_hold` entry (key `withdrawal.hold:<id>`) at once, or nothing:
   * a hold past the balance is an `InsufficientFundsError`. The partner's key already used returns that withdrawal
   * (`created: false`) when the amount and destination match, else an `IdempotencyConflictError`.
   */
  createWithdrawal(input: NewWithdrawal): Promise<WithdrawalCreateResult>;
  /** The withdrawal, or `null`. */
  getWithdrawal(id: string): Promise<Withdrawal | null>;
  /** Newest first (`requestedAt`, then id). */
  listWithdrawals(filter: { partnerId?: string; status?: WithdrawalStatus }, page: PageRequest): Promise<Page<Withdrawal>>;
  /**
   * Moves the withdrawal to `to` in one conditional step when it is in one of `from`, and returns it; `null` when it
   * is not (another admin moved it first, or it is missing), and then nothing changed. So of two approvals racing,
   * exactly one returns the withdrawal. Sets `decidedAt`/`decidedBy` on `approved` and `refused`, `paidAt` on `paid`,
   * and `reason`/`reference` when given. (The engine releases a refused hold.)
   */
  transitionWithdrawal(id: string, from: readonly WithdrawalStatus[], transition: WithdrawalTransition): Promise<Withdrawal | null>;
  /**
   * Held now: the amounts of the partner's `requested` and `approved` withdrawals (waiting to be paid), per currency,
   * ordered by currency. The one definition of a partner's waiting withdrawals (`PayoutPosition.held`,
   * `StorefrontFigures.payoutsWaiting`).
   */
  held(partnerId: string): Promise<Money[]>;
  /** Paid over `[from, to)` (their `paidAt`): the amounts of withdrawals paid, per currency, ordered by currency, for one partner or all. */
  paid(query: { from: Date; to: Date; partnerId?: string }): Promise<Money[]>;
}
