import type { NewPriceBookEntry, PriceBookEntry } from '../domain/price-book.js';

/**
 * Resellers' price books: per customer and plan, the prices that customer buys the plan at (see
 * `PriceBookEntry`). A customer with at least one line is a reseller as far as pricing goes. Read
 * without locks: a checkout prices with the line as it reads it, and freezes that into the terms it sells.
 */
export interface PriceBookRepository {
  /** The customer's line for the plan, or `null` (the customer buys it at list prices). */
  get(customerId: string, planId: string): Promise<PriceBookEntry | null>;
  /** Every line of the customer's book, ordered by plan id. */
  list(customerId: string): Promise<PriceBookEntry[]>;
  /**
   * Validates and writes the line for `(customerId, planId)`, replacing the one there was; returns it as
   * stored (`updatedAt` from the storage's clock). A missing customer or plan is a `NotFoundError`.
   */
  set(input: NewPriceBookEntry): Promise<PriceBookEntry>;
  /** Removes the line; returns whether there was one. */
  remove(customerId: string, planId: string): Promise<boolean>;
}
