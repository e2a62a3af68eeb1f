import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/common.js';
import type { z } from 'zod';
import type { Money } from '../domain/money.js';
import { CreditLimitSchema, NewPriceBookEntrySchema } from '../domain/price-book.js';
import type { CreditLimit, NewPriceBookEntry, PriceBookEntry } from '../domain/price-book.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { spendable } from '../rules/credit.js';
import type { StorageTransaction } from '../ports/storage.js';
import { refuseBuiltPlanPrice } from './built-plan.js';
import type { EngineContext } from './context.js';

/** A validated price book line. */
type PriceBookLine = z.output<typeof NewPriceBookEntrySchema>;

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });

function audit(actor: Actor, action: string, customerId: string, data: Record<string, string | number | null>) {
  return { actor, action, subjectType: 'customer', subjectId: customerId, data };
}

/**
 * Sets the price a reseller buys a plan at (one line of its price book), audited
 * (`reseller.price_set`). The line's currency must be the plan's, and the plan a fixed one: a plan its buyer
 * builds sells at its quote (`ValidationError` otherwise, nothing written); a missing customer or plan is a `NotFoundError`. Subscriptions already sold keep the prices frozen in
 * their terms; the line prices what the customer buys from now on.
 */
export async function setResellerPrice(ctx: EngineContext, input: NewPriceBookEntry, actor: Actor = ADMIN): Promise<PriceBookEntry> {
  const line = parseInput(NewPriceBookEntrySchema, input, 'price book entry');
  return ctx.storage.transaction((tx) => setPriceIn(tx, line, actor));
}

/** Removes a plan from a reseller's price book (it buys that plan at list prices again), audited; returns whether there was a line. */
export async function removeResellerPrice(ctx: EngineContext, customerId: string, planId: string, actor: Actor = ADMIN): Promise<boolean> {
  return ctx.storage.transaction((tx) => removePriceIn(tx, customerId, planId, actor));
}

/**
 * Sets a customer's credit limit in a currency (0 takes the credit away), audited
 * (`reseller.credit_limit_set`, the old and new limit). The ledger keeps it: a debit past minus the limit
 * is refused by `ledger.append` under the customer's lock. A limit below what the customer owes now is a
 * `ConflictError` (`balance_below_limit`) and changes nothing.
 */
export async function setCreditLimit(ctx: EngineContext, input: CreditLimit, actor: Actor = ADMIN): Promise<Money> {
  const limit = parseInput(CreditLimitSchema, input, 'credit limit');
  return ctx.storage.transaction((tx) => setCreditLimitIn(tx, limit, actor));
}

/** What a customer can spend now in a currency: its balance plus its credit limit (integer minor units, never below 0). */
export async function spendableBalance(ctx: EngineContext, customerId: string, currency: string): Promise<number> {
  return spendable(await ctx.storage.ledger.balance(customerId, currency), await ctx.storage.ledger.creditLimit(customerId, currency));
}

/** A reseller's terms written at once by `setResellerTerms`: its credit limit first, then its price book lines. */
export interface ResellerTermsChange {
  customerId: string;
  /** The credit limit to set (0 takes the credit away); left as it is when omitted. */
  creditLimit?: Money;
  /** Lines to set (as `setPrice` takes them, for this customer); a line equal to the stored one is not written. */
  prices?: Omit<NewPriceBookEntry, 'customerId'>[];
  /** Plans to take out of the price book; a plan without a line is skipped. */
  removePlanIds?: string[];
}

/** What `setResellerTerms` left: the credit limit (when one was given) and the whole price book. */
export interface ResellerTermsResult {
  creditLimit: Money | null;
  priceBook: PriceBookEntry[];
}

/**
 * Writes a reseller's terms in one transaction, each change audited as `setCreditLimit`, `setResellerPrice` and
 * `removeResellerPrice` audit it; a limit or line equal to the stored one is neither written nor audited. The
 * credit limit comes first (the customer's lock first, as the storage's lock order wants): a limit below the
 * debt is a `ConflictError`, and then, like bad input (`ValidationError`) or an unknown plan (`NotFoundError`),
 * nothing is written at all.
 */
export async function setResellerTerms(
  ctx: EngineContext,
  change: ResellerTermsChange,
  actor: Actor = ADMIN,
): Promise<ResellerTermsResult> {
  const { customerId } = change;
  const limit =
    change.creditLimit === undefined ? null : parseInput(CreditLimitSchema, { customerId, ...change.creditLimit }, 'credit limit');
  const lines = (change.prices ?? []).map((line) => parseInput(NewPriceBookEntrySchema, { ...line, customerId }, 'price book entry'));
  const removals = [...new Set(change.removePlanIds ?? [])];
  const clash = lines.find((line) => removals.includes(line.planId));
  if (clash !== undefined)
    throw new ValidationError(`plan ${clash.planId} is both set and removed`, [
      { path: 'removePlanIds', message: 'must not name a plan being set' },
    ]);
  return ctx.storage.transaction(async (tx) => {
    let creditLimit: Money | null = null;
    if (limit !== null) {
      const before = await tx.ledger.creditLimit(customerId, limit.currency);
      creditLimit = before === limit.amount ? { amount: before, currency: limit.currency } : await setCreditLimitIn(tx, limit, actor);
    }
    const stored = new Map((await tx.priceBooks.list(customerId)).map((line) => [line.planId, line]));
    for (const line of lines) {
      const old = stored.get(line.planId);
      if (old === undefined || !isDeepStrictEqual(priced(old), priced(line))) await setPriceIn(tx, line, actor);
    }
    for (const planId of removals) if (stored.has(planId)) await removePriceIn(tx, customerId, planId, actor);
    return { creditLimit, priceBook: await tx.priceBooks.list(customerId) };
  });
}

/** A line's prices, to compare a stored line with one to set. */
function priced(line: Pick<PriceBookEntry, 'price' | 'extensionPrice' | 'trafficPricePerGiB'>) {
  return { price: line.price, extensionPrice: line.extensionPrice, trafficPricePerGiB: line.trafficPricePerGiB };
}

async function setPriceIn(tx: StorageTransaction, line: PriceBookLine, actor: Actor): Promise<PriceBookEntry> {
  const plan = await tx.plans.get(line.planId);
  if (plan === null) throw new NotFoundError('plan', line.planId);
  refuseBuiltPlanPrice(plan, 'a price book prices', 'price');
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
}

async function removePriceIn(tx: StorageTransaction, customerId: string, planId: string, actor: Actor): Promise<boolean> {
  const removed = await tx.priceBooks.remove(customerId, planId);
  if (removed) await tx.audit.append(audit(actor, 'reseller.price_removed', customerId, { planId }));
  return removed;
}

async function setCreditLimitIn(tx: StorageTransaction, limit: CreditLimit, actor: Actor): Promise<Money> {
  // For the audit only; the lock (and the check against the balance) is `setCreditLimit`'s.
  const before = await tx.ledger.creditLimit(limit.customerId, limit.currency);
  const set = await tx.ledger.setCreditLimit(limit);
  await tx.audit.append(
    audit(actor, 'reseller.credit_limit_set', limit.customerId, { currency: limit.currency, from: before, to: set.amount }),
  );
  return set;
}
