import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { sameTerms, termsOf } from '../domain/subscription-terms.js';
import { builtTermsOf, requotedPrice } from './built-plan.js';
import { buyerPlan } from './buyer-price.js';
import { parseInput } from '../domain/validate.js';
import { NotFoundError } from '../errors.js';
import { pages } from './paging.js';
import { auditSubscription } from './context.js';
import type { EngineContext } from './context.js';

/** Which subscribers of a plan to move to its current terms: all of them, or the ones named. */
export const ApplyCurrentTermsRequestSchema = z.object({
  planId: IdSchema,
  /** Only these subscriptions (each must be of the plan); omitted: every subscriber of the plan. */
  subscriptionIds: z.array(IdSchema).min(1).max(1000).optional(),
  actor: ActorSchema.optional(),
});
/** See {@link ApplyCurrentTermsRequestSchema}. */
export type ApplyCurrentTermsRequest = z.input<typeof ApplyCurrentTermsRequestSchema>;

/** What `kit.applyCurrentTerms` did. */
export interface ApplyCurrentTermsResult {
  /** Subscriptions moved to the plan's current terms (one audit event each). */
  moved: string[];
  /** Subscriptions already on them (or terminated, which keep what they ended with). */
  unchanged: number;
}

const ADMIN: Actor = { type: 'admin', id: null };

async function* candidates(ctx: EngineContext, plan: Plan, ids: readonly string[] | undefined): AsyncGenerator<Subscription> {
  if (ids !== undefined) {
    for (const id of ids) {
      const sub = await ctx.storage.subscriptions.get(id);
      if (sub === null || sub.planId !== plan.id) throw new NotFoundError('subscription', id);
      yield sub;
    }
    return;
  }
  // Every panel the plan may sell on: subscriptions are listed by panel (an admin action, not a hot path).
  for (const panel of await ctx.storage.panels.list()) {
    for await (const sub of pages((p) => ctx.storage.subscriptions.listByPanel(panel.id, {}, p))) if (sub.planId === plan.id) yield sub;
  }
}

/**
 * Moves subscribers of a plan from the terms they were sold with to the plan's current terms (at each
 * subscriber's prices: a reseller's price book line applies, as it would to a purchase now): the
 * explicit step that makes a plan edit reach existing subscribers. The current period is left as
 * bought (its expiry and traffic limit); the new terms rule the next extension, renewal, top-up and
 * plan change. Each move is its own transaction with an audit event (`subscription.terms_changed`,
 * the old and new price and duration), checked again on the locked row, so running it twice, or on
 * two replicas at once, moves each subscription once.
 */
export async function applyCurrentTerms(ctx: EngineContext, input: ApplyCurrentTermsRequest): Promise<ApplyCurrentTermsResult> {
  const request = parseInput(ApplyCurrentTermsRequestSchema, input, 'apply current terms request');
  const plan = await ctx.storage.plans.get(request.planId);
  if (plan === null) throw new NotFoundError('plan', request.planId);
  const result: ApplyCurrentTermsResult = { moved: [], unchanged: 0 };
  for await (const listed of candidates(ctx, plan, request.subscriptionIds)) {
    const moved = await ctx.storage.transaction(async (tx) => {
      const sub = await tx.subscriptions.get(listed.id);
      if (sub === null || sub.planId !== plan.id || sub.status === 'terminated') return false;
      // The plan's current terms at this subscriber's prices (a reseller keeps its price book).
      const current = await buyerPlan(tx, sub.customerId, plan);
      // A built subscription keeps its choice, re-quoted at the builder's current prices (unchanged if refused now).
      const built = sub.terms?.built ?? null;
      const terms = built === null ? termsOf(current) : builtTermsOf(current, built, requotedPrice(current, built));
      if (terms === null || sameTerms(sub.terms, terms)) return false;
      await tx.subscriptions.update(sub.id, { terms }, { expectedRevision: sub.revision });
      await auditSubscription(tx, request.actor ?? ADMIN, 'subscription.terms_changed', sub, {
        planId: plan.id,
        fromPrice: sub.terms?.price.amount ?? null,
        toPrice: terms.price.amount,
        currency: terms.price.currency,
        fromDurationDays: sub.terms?.durationDays ?? null,
        toDurationDays: terms.durationDays,
      });
      return true;
    });
    if (moved) result.moved.push(listed.id);
    else result.unchanged += 1;
  }
  return result;
}

/**
 * How many live subscribers of a plan are on terms other than its current ones (an edit since they bought):
 * what `applyCurrentTerms` would move, counted by the storage in one query. Subscriptions without terms
 * follow the plan already and are not counted; a reseller's subscribers are compared with the plan's list terms.
 */
export async function subscribersOnOlderTerms(ctx: EngineContext, planId: string): Promise<number> {
  const plan = await ctx.storage.plans.get(planId);
  if (plan === null) throw new NotFoundError('plan', planId);
  return ctx.storage.subscriptions.countOnOtherTerms(plan.id, termsOf(plan));
}
