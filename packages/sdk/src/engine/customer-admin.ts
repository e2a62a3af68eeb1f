import { z } from 'zod';
import { CustomerSchema, NewCustomerSchema } from '../domain/customer.js';
import type { Customer, NewCustomer } from '../domain/customer.js';
import type { Money } from '../domain/money.js';
import type { Subscription } from '../domain/subscription.js';
import { SubscriptionStatusSchema } from '../domain/subscription-status.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
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

/** Every subscription of the customer, newest first (all pages read), in `options.statuses` when given. */
export async function customerSubscriptions(
  ctx: EngineContext,
  customerId: string,
  options: CustomerSubscriptionsOptions = {},
): Promise<Subscription[]> {
  const { statuses } = parseInput(StatusesSchema, options, 'subscription filter');
  const wanted = statuses === undefined ? null : new Set(statuses);
  const out: Subscription[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.storage.subscriptions.listByCustomer(customerId, { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const sub of page.items) if (wanted === null || wanted.has(sub.status)) out.push(sub);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/** The customer's balance in every currency it has entries or a credit limit in, by currency. */
export async function customerBalances(ctx: EngineContext, customerId: string): Promise<Money[]> {
  return ctx.storage.ledger.balances(customerId);
}
