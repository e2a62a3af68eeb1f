import { NewCustomerSchema } from '../domain/customer.js';
import type { Customer, NewCustomer } from '../domain/customer.js';
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
