import type { Customer } from '../domain/customer.js';
import type { Order } from '../domain/order.js';
import type { Panel } from '../domain/panel.js';
import type { Plan } from '../domain/plan.js';
import type { PriceBookEntry } from '../domain/price-book.js';
import type { Target } from '../domain/target.js';

/** What `orders.checkoutContext` reads: a buyer, an idempotency key and the plans a checkout names. */
export interface CheckoutContextRequest {
  readonly customerId: string;
  /** The checkout's idempotency key: its order, if one was placed under it, is a replay. */
  readonly idempotencyKey: string;
  /** The plans the checkout names (repeats allowed; at most `MAX_ROWS_PER_CALL`). */
  readonly planIds: readonly string[];
}

/**
 * Everything a checkout reads before it places an order, as one read (`orders.checkoutContext`): each field what
 * its own repository's read answers at that moment.
 */
export interface CheckoutContext {
  /** The customer's order under the key (`orders.getByIdempotencyKey`), or `null`. */
  readonly order: Order | null;
  /** The customer (`customers.get`), or `null`. */
  readonly customer: Customer | null;
  /** The named plans that exist (`plans.get` of each), once each, in id order. */
  readonly plans: readonly Plan[];
  /** The customer's price book lines for the named plans (`priceBooks.get` of each), in plan id order. */
  readonly priceBook: readonly PriceBookEntry[];
  /** Every target, as `targets.list()` orders them. */
  readonly targets: readonly Target[];
  /** Every panel, as `panels.list()` orders them. */
  readonly panels: readonly Panel[];
}
