import type { AuditEvent, Plan, PriceBookEntry } from '@panelkit/sdk';
import { sellsAtOnePrice } from '../plans/one-price.js';
import type { Shop } from '../shop.js';

/** What a reseller is shown of its own terms: its prices, its credit, and the changes made to them. */
export interface ResellerTerms {
  /** Plans on sale with the reseller's line for each, where it has one and it applies (`sellsAtOnePrice`). */
  prices: { plan: Plan; line: PriceBookEntry | null }[];
  balance: number;
  creditLimit: number;
  /** Balance plus credit limit (never below 0). */
  spendable: number;
  /** The `reseller.*` audit events about this customer, newest first (who made them is not shown). */
  changes: AuditEvent[];
}

/**
 * A customer's reseller terms as it may see them, or `null` when it is no reseller (no price book line and
 * no credit limit). The audit is scoped to the customer: only events whose subject is this customer.
 */
export async function resellerTerms(shop: Shop, customerId: string): Promise<ResellerTerms | null> {
  const { currency } = shop.config;
  const [book, creditLimit, balance, plans, audit] = await Promise.all([
    shop.kit.resellers.priceBook(customerId),
    shop.kit.resellers.creditLimit(customerId, currency),
    shop.storage.ledger.balance(customerId, currency),
    shop.storage.plans.list({ onSale: true }),
    shop.storage.audit.list({ subjectType: 'customer', subjectId: customerId }, { limit: 100 }),
  ]);
  if (book.length === 0 && creditLimit === 0) return null;
  const lines = new Map(book.map((l) => [l.planId, l]));
  return {
    prices: plans.map((plan) => ({ plan, line: sellsAtOnePrice(plan) ? (lines.get(plan.id) ?? null) : null })),
    balance,
    creditLimit,
    spendable: Math.max(0, balance + creditLimit),
    changes: audit.items.filter((e) => e.action.startsWith('reseller.')),
  };
}
