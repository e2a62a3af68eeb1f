import type { z } from 'zod';
import type { Money } from '../domain/money.js';
import type { OrderItem } from '../domain/order.js';
import { parseInput } from '../domain/validate.js';
import { EligibilityError, NotFoundError } from '../errors.js';
import type { DiscountDecision } from '../rules/discount.js';
import type { DiscountDenyReason } from '../rules/discount.js';
import { CheckoutRequestSchema, discountOrder, priceItems } from './checkout.js';
import type { EngineContext } from './context.js';
import { pricerFor } from './storefront-sale.js';

/** What `quoteCheckout` takes: a checkout request without its idempotency key. */
export const CheckoutQuoteRequestSchema = CheckoutRequestSchema.omit({ idempotencyKey: true, actor: true });
/** See `CheckoutQuoteRequestSchema`. */
export type CheckoutQuoteRequest = z.input<typeof CheckoutQuoteRequestSchema>;

/** The price of an order before it is placed. */
export interface CheckoutQuote {
  items: OrderItem[];
  /** At the customer's prices: list prices, or a reseller's price book. */
  subtotal: Money;
  /** The code's decision: its quote, or why it is refused (`null` without a code). */
  discount: DiscountDecision | null;
  /** What checkout would take from the wallet now: `subtotal` less an allowed discount. */
  total: Money;
}

/**
 * Prices an order as `checkout` would, now, without writing anything: a refused code is answered with
 * its reason (`discount.allowed: false`, the total undiscounted) rather than thrown. A missing plan or
 * customer, a plan off sale or a trial not allowed throw as in checkout; a storefront's buyer is priced at its retail
 * prices (`StorefrontRefusedError` `not_on_menu` for a plan it does not sell).
 */
export async function quoteCheckout(ctx: EngineContext, input: CheckoutQuoteRequest): Promise<CheckoutQuote> {
  const request = parseInput(CheckoutQuoteRequestSchema, input, 'checkout quote request');
  const customer = await ctx.storage.customers.get(request.customerId);
  if (customer === null) throw new NotFoundError('customer', request.customerId);
  const priced = await priceItems(ctx.storage, customer.id, request.items, pricerFor(ctx.storage, customer), {
    phoneVerified: request.trialIdentity?.phone !== undefined,
  });
  const base = { items: priced.orderItems, subtotal: priced.total };
  if (request.discountCode === undefined || request.discountCode === '') return { ...base, discount: null, total: priced.total };
  try {
    const discounted = await discountOrder(ctx.storage, customer, request.discountCode, priced, ctx.clock.now());
    return {
      ...base,
      discount: discounted.discount === null ? null : { allowed: true, quote: discounted.discount },
      total: discounted.total,
    };
  } catch (error) {
    const reason = EligibilityError.is(error) ? error.details?.['discountReason'] : undefined;
    if (typeof reason !== 'string') throw error;
    return { ...base, discount: { allowed: false, reason: reason as DiscountDenyReason }, total: priced.total };
  }
}
