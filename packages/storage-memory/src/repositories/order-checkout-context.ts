import { parseCheckoutContextRequest } from '@panelkit/sdk/storage';
import type { CheckoutContext, CheckoutContextRequest } from '@panelkit/sdk/storage';
import type { Customer, Order, Panel, Plan, PriceBookEntry, Target } from '@panelkit/sdk';
import type { Op } from '../internal/op.js';

/** The reads `orders.checkoutContext` gathers, each as its own repository answers it. */
export interface CheckoutContextReads {
  orders: { getByIdempotencyKey(op: Op, customerId: string, key: string): Order | null };
  customers: { get(op: Op, id: string): Customer | null };
  plans: { get(op: Op, id: string): Plan | null };
  priceBooks: { get(op: Op, customerId: string, planId: string): PriceBookEntry | null };
  targets: { list(op: Op): Target[] };
  panels: { list(op: Op): Panel[] };
}

/** `orders.checkoutContext`: a checkout's reads in one call, under the storage's lock as every call is. */
export function orderCheckoutContextOperation(reads: CheckoutContextReads) {
  return function checkoutContext(op: Op, request: CheckoutContextRequest): CheckoutContext {
    const { customerId, idempotencyKey, planIds } = parseCheckoutContextRequest(request);
    const plans = planIds.map((id) => reads.plans.get(op, id)).filter((plan): plan is Plan => plan !== null);
    const priceBook = plans
      .map((plan) => reads.priceBooks.get(op, customerId, plan.id))
      .filter((entry): entry is PriceBookEntry => entry !== null);
    return {
      order: reads.orders.getByIdempotencyKey(op, customerId, idempotencyKey),
      customer: reads.customers.get(op, customerId),
      plans,
      priceBook,
      targets: reads.targets.list(op),
      panels: reads.panels.list(op),
    };
  };
}
