import type { Plan } from '../domain/plan.js';
import type { PriceBookEntry } from '../domain/price-book.js';
import type { StorageRepositories } from '../ports/storage.js';
import { plansPricedByBook, priceForBuyer } from '../rules/reseller-price.js';

/**
 * The plan with the prices this customer buys it at: its price book line applied (`priceForBuyer`),
 * or the plan as listed for a customer without one. Every path that sells a plan anew prices it with
 * this (checkout and its quote, a plan change's new plan, moving subscribers to current terms); the
 * result is frozen into the subscription's terms, which renewal, extension and top-up then read.
 */
export function buyerPlan(repos: Pick<StorageRepositories, 'priceBooks'>, customerId: string, plan: Plan): Promise<Plan>;
/**
 * Several plans (a catalog) priced for this customer as one plan is, answered in their order: one read of the
 * customer's whole price book when there are several (`priceBooks.list`), each plan priced by its own line.
 */
export function buyerPlan(repos: Pick<StorageRepositories, 'priceBooks'>, customerId: string, plans: readonly Plan[]): Promise<Plan[]>;
/** One plan or several priced for the customer (see the two signatures above). */
export async function buyerPlan(
  repos: Pick<StorageRepositories, 'priceBooks'>,
  customerId: string,
  plans: Plan | readonly Plan[],
): Promise<Plan | Plan[]> {
  if (!Array.isArray(plans)) {
    const plan = plans as Plan;
    return priceForBuyer(plan, await repos.priceBooks.get(customerId, plan.id)).plan;
  }
  const list = plans as readonly Plan[];
  if (list.length < 2) return Promise.all(list.map((plan) => buyerPlan(repos, customerId, plan)));
  return plansPricedByBook(list, await repos.priceBooks.list(customerId));
}

/**
 * `buyerPlan` over price book lines already read (the customer's, for at least the plans it will price): a plan
 * without a line among them is the customer's at list prices.
 */
export function pricerFromBook(entries: readonly PriceBookEntry[]): (plan: Plan) => Promise<Plan> {
  return (plan) => Promise.resolve(plansPricedByBook([plan], entries)[0]!);
}
