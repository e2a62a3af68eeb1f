import type { DiscountUse } from '../domain/discount.js';
import type { Money } from '../domain/money.js';
import { EligibilityError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { decideDiscount } from '../rules/discount.js';
import { takesDiscountCodes } from '../rules/storefront.js';
import type { DiscountDecision, DiscountDenyReason, DiscountQuote } from '../rules/discount.js';

/** What a discount is asked for: the code as typed, and the purchase it would lower. */
export interface DiscountRequest {
  /** The code as the buyer typed it. */
  code: string;
  customerId: string;
  /**
   * The buyer's storefront (`Customer.storefrontId`) as the purchase read it, so the code is judged on the same read
   * that decided whether the sale is a storefront's; read from the customer when absent.
   */
  storefrontId?: string | null;
  use: DiscountUse;
  planId: string;
  /** See `DiscountInput.locations`. */
  locations: readonly string[];
  /** See `DiscountInput.on`. */
  on?: 'plan' | 'panel';
  /** The price before the discount. */
  price: Money;
  now: Date;
}

/** Whether the customer has an order that was paid for and not refunded as failed. */
export async function hasPaidOrder(repos: StorageRepositories, customerId: string): Promise<boolean> {
  let cursor: string | null | undefined = null;
  do {
    const page = await repos.orders.list({ customerId }, { limit: 200, cursor });
    if (page.items.some((o) => o.total.amount > 0 && o.status !== 'failed')) return true;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return false;
}

/**
 * Quotes a code for a purchase from stored state (the pure rule `decideDiscount` on the code and the
 * customer's uses). A storefront's buyer is refused `storefront_buyer` whatever the code (`takesDiscountCodes`).
 * Writes nothing: the use is taken by `redeemDiscount` in the purchase's transaction.
 */
export async function quoteDiscount(repos: StorageRepositories, request: DiscountRequest): Promise<DiscountDecision> {
  const storefrontId =
    request.storefrontId !== undefined ? request.storefrontId : ((await repos.customers.get(request.customerId))?.storefrontId ?? null);
  // Before the code is looked up: a storefront's buyer learns nothing of which of the owner's codes exist.
  if (!takesDiscountCodes({ storefrontId })) return { allowed: false, reason: 'storefront_buyer' };
  const code = await repos.discounts.getByCode(request.code);
  if (code === null) return { allowed: false, reason: 'unknown_code' };
  const customerUses = code.maxUsesPerCustomer === null ? 0 : await repos.discounts.customerUses(code.id, request.customerId);
  const paidBefore = code.firstPurchaseOnly ? await hasPaidOrder(repos, request.customerId) : false;
  return decideDiscount({ ...request, code, customerUses, hasPaidOrder: paidBefore });
}

/** A refused code as the error a purchase throws: `EligibilityError` with the rule's reason, nothing written. */
export function discountRefused(code: string, reason: DiscountDenyReason): EligibilityError {
  return new EligibilityError(`discount code ${code} cannot be used: ${reason}`, [reason], {
    details: { discountCode: code, discountReason: reason },
  });
}

/**
 * The price step of a purchase: the price after the code, or the price as it was when no code is
 * given. A refused code throws (see `discountRefused`). Purchase flows call this once on their quoted
 * price and pay what it returns; anything else that adjusts a price (another engineer's price book,
 * frozen terms) comes before it.
 */
export async function applyDiscount(
  repos: StorageRepositories,
  request: Omit<DiscountRequest, 'code'> & { code: string | null | undefined },
): Promise<{ price: Money; discount: DiscountQuote | null }> {
  if (request.code === undefined || request.code === null || request.code.trim() === '') return { price: request.price, discount: null };
  const decision = await quoteDiscount(repos, { ...request, code: request.code });
  if (!decision.allowed) throw discountRefused(request.code, decision.reason);
  return { price: decision.quote.price, discount: decision.quote };
}

/**
 * Takes the use a quote was made for, in the purchase's transaction, keyed by the purchase's ledger
 * key (so a refund releases it by the same key). Call it after the debit and any capacity
 * reservation (the lock order on `StoragePort.transaction`). A code whose last use was taken since the
 * quote throws `EligibilityError` (`exhausted`, `customer_exhausted`, `disabled`): the purchase rolls back.
 */
export async function redeemDiscount(
  tx: StorageRepositories,
  quote: DiscountQuote,
  use: { customerId: string; key: string; use: DiscountUse; orderId?: string | null; subscriptionId?: string | null },
): Promise<void> {
  const result = await tx.discounts.redeem({ codeId: quote.codeId, discount: quote.discount, ...use });
  if (!result.ok) throw discountRefused(quote.code, result.reason);
}

/** Gives back the use a refunded purchase took (keyed by its ledger key); nothing when it took none. */
export async function releaseDiscount(tx: StorageRepositories, key: string): Promise<boolean> {
  return (await tx.discounts.release(key)) !== null;
}

/** The ledger key (and discount use key) of an order's debit. */
export function orderPurchaseKey(orderId: string): string {
  return `purchase:order:${orderId}`;
}
