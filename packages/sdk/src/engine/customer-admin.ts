import { z } from 'zod';
import { CustomerSchema, NewCustomerSchema } from '../domain/customer.js';
import type { Customer, NewCustomer } from '../domain/customer.js';
import { MAX_PAGE_LIMIT } from '../domain/common.js';
import type { Page } from '../domain/common.js';
import type { Money } from '../domain/money.js';
import type { Subscription } from '../domain/subscription.js';
import { SubscriptionStatusSchema } from '../domain/subscription-status.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
import type { CustomerWithPriceBook } from '../ports/storage.js';
import type { EngineContext } from './context.js';

/**
 * Stores a new customer (a wallet owner). Bad input is a `ValidationError`; an email or `externalRef`
 * already taken is a `ConflictError`; either stores nothing. Emails are stored lower-cased.
 */
export async function createCustomer(ctx: EngineContext, input: NewCustomer): Promise<Customer> {
  return ctx.storage.customers.create(parseInput(NewCustomerSchema, input, 'customer'));
}

/** The customer with this id; `NotFoundError` when there is none. */
export async function getCustomer(ctx: EngineContext, customerId: string): Promise<Customer> {
  const customer = await ctx.storage.customers.get(customerId);
  if (customer === null) throw new NotFoundError('customer', customerId);
  return customer;
}

/**
 * {@link getCustomer}, the customer's whole price book and its ledger balances, in one storage read
 * (`customers.getWithPriceBook`).
 */
export async function customerWithPriceBook(ctx: EngineContext, customerId: string): Promise<CustomerWithPriceBook> {
  const read = await ctx.storage.customers.getWithPriceBook(customerId);
  if (read === null) throw new NotFoundError('customer', customerId);
  return read;
}

const TelegramIdSchema = CustomerSchema.shape.telegramId.unwrap();

/** The customer with this Telegram user id (the oldest when several carry it), or `null`. */
export async function customerByTelegramId(ctx: EngineContext, telegramId: string): Promise<Customer | null> {
  return ctx.storage.customers.getByTelegramId(parseInput(TelegramIdSchema, telegramId, 'telegram id'));
}

/** Filters of {@link customerSubscriptions}. */
export interface CustomerSubscriptionsOptions {
  /** Only subscriptions in these statuses; every status when absent. */
  statuses?: readonly SubscriptionStatus[];
}

const StatusesSchema = z.object({ statuses: z.array(SubscriptionStatusSchema).readonly().optional() }).strict();
const KNOWN_STATUSES: ReadonlySet<unknown> = new Set(SubscriptionStatusSchema.options);

/**
 * `options.statuses` as `StatusesSchema` parses it (`undefined`: every status): checked by hand, since a link refresh
 * asks on every request (a plain object with at most `statuses`, each a known status); zod only words what is wrong
 * (the `ValidationError`).
 */
export function subscriptionStatusFilter(options: CustomerSubscriptionsOptions): readonly SubscriptionStatus[] | undefined {
  if (typeof options === 'object' && options !== null && Object.getPrototypeOf(options) === Object.prototype) {
    const keys = Object.keys(options);
    const statuses: unknown = options.statuses;
    if (keys.length === 0 || (keys.length === 1 && keys[0] === 'statuses' && statuses === undefined)) return undefined;
    if (keys.length === 1 && keys[0] === 'statuses' && Array.isArray(statuses) && statuses.every((s) => KNOWN_STATUSES.has(s)))
      return statuses as readonly SubscriptionStatus[];
  }
  return parseInput(StatusesSchema, options, 'subscription filter').statuses;
}

/**
 * Every subscription of the customer, newest first: the pages after `first` when the caller read the first one (a link
 * refresh reads it with the token), else every page.
 */
export async function allCustomerSubscriptions(
  ctx: EngineContext,
  customerId: string,
  first?: Page<Subscription>,
): Promise<Subscription[]> {
  const out: Subscription[] = first === undefined ? [] : [...first.items];
  let cursor: string | null | undefined = first === undefined ? undefined : first.nextCursor;
  while (cursor !== null) {
    const page = await ctx.storage.subscriptions.listByCustomer(customerId, {
      limit: MAX_PAGE_LIMIT,
      ...(cursor === undefined ? {} : { cursor }),
    });
    out.push(...page.items);
    cursor = page.nextCursor;
  }
  return out;
}

/** Every subscription of the customer, newest first (all pages read), in `options.statuses` when given. */
export async function customerSubscriptions(
  ctx: EngineContext,
  customerId: string,
  options: CustomerSubscriptionsOptions = {},
): Promise<Subscription[]> {
  const statuses = subscriptionStatusFilter(options);
  const all = await allCustomerSubscriptions(ctx, customerId);
  return statuses === undefined ? all : all.filter((sub) => statuses.includes(sub.status));
}

/** The customer's balance in every currency it has entries or a credit limit in, by currency. */
export async function customerBalances(ctx: EngineContext, customerId: string): Promise<Money[]> {
  return ctx.storage.ledger.balances(customerId);
}
