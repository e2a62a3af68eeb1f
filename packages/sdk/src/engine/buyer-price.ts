import type { Plan } from '../domain/plan.js';
import type { StorageRepositories } from '../ports/storage.js';
import { priceForBuyer } from '../rules/reseller-price.js';

/**
 * The plan with the prices this customer buys it at: its price book line applied (`priceForBuyer`),
 * or the plan as listed for a customer without one. Every path that sells a plan anew prices it with
 * this (checkout and its quote, a plan change's new plan, moving subscribers to current terms); the
 * result is frozen into the subscription's terms, which renewal, extension and top-up then read.
 */
export async function buyerPlan(repos: Pick<StorageRepositories, 'priceBooks'>, customerId: string, plan: Plan): Promise<Plan> {
  return priceForBuyer(plan, await repos.priceBooks.get(customerId, plan.id)).plan;
}
