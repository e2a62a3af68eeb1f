import type { Actor } from '../domain/common.js';
import type { Money } from '../domain/money.js';
import { CreditLimitSchema, NewPriceBookEntrySchema } from '../domain/price-book.js';
import type { CreditLimit, NewPriceBookEntry, PriceBookEntry } from '../domain/price-book.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { spendable } from '../rules/credit.js';
import type { EngineContext } from './context.js';

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });

function audit(actor: Actor, action: string, customerId: string, data: Record<string, string | number | null>) {
  return { actor, action, subjectType: 'customer', subjectId: customerId, data };
}

/**
 * Sets the price a reseller buys a plan at (one line of its price book), audited
 * (`reseller.price_set`). The line's currency must be the plan's (`ValidationError` otherwise); a
 * missing customer or plan is a `NotFoundError`. Subscriptions already sold keep the prices frozen in
 * their terms; the line prices what the customer buys from now on.
 */
export async function setResellerPrice(ctx: EngineContext, input: NewPriceBookEntry, actor: Actor = ADMIN): Promise<PriceBookEntry> {
  const line = parseInput(NewPriceBookEntrySchema, input, 'price book entry');
  return ctx.storage.transaction(async (tx) => {
    const plan = await tx.plans.get(line.planId);
    if (plan === null) throw new NotFoundError('plan', line.planId);
    if (plan.price.currency !== line.price.currency)
      throw new ValidationError(`plan ${plan.id} is priced in ${plan.price.currency}`, [
        { path: 'price.currency', message: `must be ${plan.price.currency}` },
      ]);
    const stored = await tx.priceBooks.set(line);
    await tx.audit.append(
      audit(actor, 'reseller.price_set', line.customerId, {
        planId: plan.id,
        price: stored.price.amount,
        currency: stored.price.currency,
        extensionPrice: stored.extensionPrice?.amount ?? null,
        trafficPricePerGiB: stored.trafficPricePerGiB?.amount ?? null,
      }),
    );
    return stored;
  });
}

/** Removes a plan from a reseller's price book (it buys that plan at list prices again), audited; returns whether there was a line. */
export async function removeResellerPrice(ctx: EngineContext, customerId: string, planId: string, actor: Actor = ADMIN): Promise<boolean> {
  return ctx.storage.transaction(async (tx) => {
    const removed = await tx.priceBooks.remove(customerId, planId);
    if (removed) await tx.audit.append(audit(actor, 'reseller.price_removed', customerId, { planId }));
    return removed;
  });
}

/**
 * Sets a customer's credit limit in a currency (0 takes the credit away), audited
 * (`reseller.credit_limit_set`, the old and new limit). The ledger keeps it: a debit past minus the limit
 * is refused by `ledger.append` under the customer's lock. A limit below what the customer owes now is a
 * `ConflictError` (`balance_below_limit`) and changes nothing.
 */
export async function setCreditLimit(ctx: EngineContext, input: CreditLimit, actor: Actor = ADMIN): Promise<Money> {
  const limit = parseInput(CreditLimitSchema, input, 'credit limit');
  return ctx.storage.transaction(async (tx) => {
    // For the audit only; the lock (and the check against the balance) is `setCreditLimit`'s.
    const before = await tx.ledger.creditLimit(limit.customerId, limit.currency);
    const set = await tx.ledger.setCreditLimit(limit);
    await tx.audit.append(
      audit(actor, 'reseller.credit_limit_set', limit.customerId, { currency: limit.currency, from: before, to: set.amount }),
    );
    return set;
  });
}

/** What a customer can spend now in a currency: its balance plus its credit limit (integer minor units, never below 0). */
export async function spendableBalance(ctx: EngineContext, customerId: string, currency: string): Promise<number> {
  return spendable(await ctx.storage.ledger.balance(customerId, currency), await ctx.storage.ledger.creditLimit(customerId, currency));
}
