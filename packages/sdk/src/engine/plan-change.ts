import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { Customer } from '../domain/customer.js';
import type { Panel } from '../domain/panel.js';
import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import type { Target } from '../domain/target.js';
import { parseInput } from '../domain/validate.js';
import { CapacityExhaustedError, EligibilityError, NotFoundError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { decidePlanChange } from '../rules/plan-change.js';
import type { PlanChangeDecision, PlanChangeQuote } from '../rules/plan-change.js';
import type { DiscountDecision, DiscountQuote } from '../rules/discount.js';
import { planChangeDiscountTerms } from '../rules/plan-change-discount.js';
import type { EngineContext } from './context.js';
import { applyDiscount, quoteDiscount } from './discount.js';
import { chargeAndQueueUpdate, changeRecorded, changesLink, refusedByFirstSubmission } from './extension.js';
import type { PlanChangePayload } from './job-types.js';
import { reserveSlot, withinPlacement } from './placement.js';
import { planAsSold, termsOf } from '../domain/subscription-terms.js';
import { buyerPlan } from './buyer-price.js';
import { changeSize, openStorefrontCharge, wholesaleTerms } from './storefront-charge.js';
import type { StorefrontCharge } from './storefront-charge.js';
import { pricerFor, StorefrontRefusedError } from './storefront-sale.js';

/** The input of `changePlan`; an invalid one is a `ValidationError` and changes nothing. */
export const ChangePlanRequestSchema = z.object({
  subscriptionId: IdSchema,
  /** The plan to move to. */
  planId: IdSchema,
  /** The client's key for this change: a second submission with it charges and queues nothing. */
  idempotencyKey: z.string().min(1).max(140),
  /**
   * A discount code as typed; it must apply to `plan_change` and is judged on the prorated amount due
   * (`decidePlanChangeDiscount`). Refused (a downgrade included: `nothing_to_discount`) with an
   * `EligibilityError` carrying `details.discountReason`, and nothing is charged.
   */
  discountCode: z.string().trim().max(60).optional(),
  actor: ActorSchema.optional(),
});
/** See `ChangePlanRequestSchema`. */
export type ChangePlanRequest = z.input<typeof ChangePlanRequestSchema>;

/** What `quotePlanChange` answers: the rule's decision, and whether applying it moves the client or changes its link. */
export type PlanChangeQuoteResult = PlanChangeDecision & {
  /** True when the subscription's target is outside the new plan's placement: it moves to another panel. */
  moves: boolean;
  /** True when applying it gives the client new credentials, so the customer must re-import the link. */
  linkChanges: boolean;
  /**
   * The code's decision when one was given and the change is allowed (`null` otherwise): its quote
   * (the debit is `discount.quote.price`, the change's `quote.charge` being the amount due before it)
   * or why it is refused.
   */
  discount: DiscountDecision | null;
};

/** What `changePlan` did: the subscription as stored after it (the new plan is applied later by the update job). */
export interface ChangePlanResult {
  subscription: Subscription;
  /** `null` for a replay; `quote.charge` is before any discount (the debit is `entry`). */
  quote: PlanChangeQuote | null;
  /** What the code took off the amount due; `null` without a code and on a replay. */
  discount: DiscountQuote | null;
  /** The debit; `null` when nothing was charged (a downgrade, a change made free by a code, or a replay). */
  entry: LedgerEntry | null;
  moves: boolean;
  /** True when the key had been used: nothing new was charged or queued. */
  replayed: boolean;
}

/** What a plan change starts from: the subscription, the plan it is on, where it runs, and its buyer. */
export interface PlanChangeStart {
  sub: Subscription;
  /** The current plan as it was sold to the subscription (its frozen terms value what is left). */
  currentPlan: Plan;
  panel: Panel;
  target: Target;
  /** Whose prices the new plan is sold at: the buyer's storefront, else their price book (`pricerFor`). */
  buyer: Pick<Customer, 'id' | 'storefrontId'>;
}

/** Reads what a change of the subscription starts from; `NotFoundError` for anything missing. */
export async function loadPlanChangeStart(tx: StorageRepositories, subscriptionId: string): Promise<PlanChangeStart> {
  const sub = await tx.subscriptions.get(subscriptionId);
  if (sub === null) throw new NotFoundError('subscription', subscriptionId);
  const [currentPlan, panel, target, customer] = await Promise.all([
    tx.plans.get(sub.planId),
    tx.panels.get(sub.panelId),
    tx.targets.get(sub.targetId),
    tx.customers.get(sub.customerId),
  ]);
  if (currentPlan === null) throw new NotFoundError('plan', sub.planId);
  if (panel === null) throw new NotFoundError('panel', sub.panelId);
  if (target === null) throw new NotFoundError('target', sub.targetId);
  return { sub, currentPlan: planAsSold(currentPlan, sub), panel, target, buyer: customer ?? { id: sub.customerId, storefrontId: null } };
}

async function load(tx: StorageRepositories, subscriptionId: string, planId: string) {
  const [start, newPlan] = await Promise.all([loadPlanChangeStart(tx, subscriptionId), tx.plans.get(planId)]);
  if (newPlan === null) throw new NotFoundError('plan', planId);
  // The new plan is sold at the buyer's prices (a reseller's price book; a storefront buyer's storefront menu:
  // `not_on_menu` when it is not there), which its new terms freeze.
  const priced = await pricerFor(tx, start.buyer)(newPlan);
  return { ...start, newPlan: priced, listedNewPlan: newPlan, moves: !withinPlacement(start.target, start.panel, priced) };
}

/**
 * The quote for moving the subscription from `start` to `newPlan` (priced for its buyer) now, with a code's decision
 * when one is given. Writes nothing.
 */
export async function quoteFromStart(
  ctx: EngineContext,
  start: PlanChangeStart,
  newPlan: Plan,
  options: { discountCode?: string | undefined; members?: number } = {},
): Promise<PlanChangeQuoteResult> {
  const { sub, currentPlan, panel, target } = start;
  const moves = !withinPlacement(target, panel, newPlan);
  const now = ctx.clock.now();
  const members = options.members ?? (await ctx.storage.sharing.members(sub.id)).length;
  const decision = decidePlanChange({ subscription: sub, currentPlan, newPlan, now, members });
  const linkChanges = moves || changesLink(ctx.panels.handleFor(panel).adapter.capabilities);
  const code = options.discountCode?.trim();
  let discount: DiscountDecision | null = null;
  if (decision.allowed && code !== undefined && code !== '') {
    const place = { moves, panelLocations: panel.locationTags, planLocations: newPlan.placement.allowedLocations };
    discount = await quoteDiscount(ctx.storage, {
      code,
      customerId: sub.customerId,
      now,
      ...planChangeDiscountTerms(decision.quote, place),
    });
  }
  return { ...decision, moves, linkChanges, discount };
}

/**
 * Quotes moving the subscription to `planId` now: the prorated charge or refund, whether it moves,
 * and a code's discount on the amount due when one is given. A plan its buyer's storefront does not sell is a
 * `StorefrontRefusedError` (`not_on_menu`); `kit.planChangeOptions` lists the plans they may move to. Writes nothing.
 */
export async function quotePlanChange(
  ctx: EngineContext,
  subscriptionId: string,
  planId: string,
  options: { discountCode?: string | undefined } = {},
): Promise<PlanChangeQuoteResult> {
  const { newPlan, ...start } = await load(ctx.storage, subscriptionId, planId);
  return quoteFromStart(ctx, start, newPlan, options);
}

/**
 * A slot of the new plan: on the current target for an in-place change, else on a target of
 * another panel (the username is the same on every panel, so a move stays off the current one).
 */
async function reserveNewSlot(
  tx: StorageRepositories,
  sub: Subscription,
  plan: Plan,
  moves: boolean,
  storefront: StorefrontCharge | null,
): Promise<Target> {
  if (moves) {
    const panelIds = storefront?.sale.storefront.quotas.panelIds ?? null;
    if (panelIds === null) return reserveSlot(tx, plan, sub.kind, (t) => t.panelId !== sub.panelId);
    // A storefront's buyer moves only onto the panels its storefront may sell on.
    const allowed = new Set(panelIds);
    try {
      return await reserveSlot(tx, plan, sub.kind, (t) => t.panelId !== sub.panelId && allowed.has(t.panelId));
    } catch (error) {
      if (!CapacityExhaustedError.is(error) || error.details?.['reason'] !== 'no_target') throw error;
      throw new StorefrontRefusedError(storefront!.sale.storefront.id, 'quota_panels', { planId: plan.id });
    }
  }
  const result = await tx.capacity.reserve({ targetId: sub.targetId, planId: plan.id, count: 1 });
  if (!result.ok) {
    throw new CapacityExhaustedError(`no room for plan ${plan.id} on target ${sub.targetId}`, {
      details: { planId: plan.id, reason: result.reason },
    });
  }
  const target = await tx.targets.get(sub.targetId);
  if (target === null) throw new NotFoundError('target', sub.targetId);
  return target;
}

/**
 * Moves a subscription to another plan: starts a new period of the new plan now, charging the new
 * price less the prorated value left (`plan_change` debit) or, on a downgrade, returning what the
 * credit does not use up (a `plan_change` credit written when the change is applied). In one
 * transaction: the debit, a slot of the new plan (on the same target, or on another panel when the
 * current target is outside the new plan's placement) and the update job that applies it: in
 * place, or by creating the new client first and removing the old one only once the new one is
 * recorded. A job that fails for good refunds the debit and frees the reserved slot. Once per key;
 * a change already being applied is a `ConflictError` (`change_in_progress`); a refused quote an
 * `EligibilityError` with the rule's reason; no room for the new plan a `CapacityExhaustedError`.
 */
export async function changePlan(ctx: EngineContext, input: ChangePlanRequest): Promise<ChangePlanResult> {
  const request = parseInput(ChangePlanRequestSchema, input, 'plan change request');
  const now = ctx.clock.now();
  const ledgerKey = `plan_change:${request.subscriptionId}:${request.idempotencyKey}`;
  const replay = (sub: Subscription): ChangePlanResult => ({
    subscription: sub,
    quote: null,
    discount: null,
    entry: null,
    moves: false,
    replayed: true,
  });
  let result: ChangePlanResult;
  try {
    result = await ctx.storage.transaction(async (tx) => {
      const { sub, currentPlan, newPlan, listedNewPlan, panel, moves } = await load(tx, request.subscriptionId, request.planId);
      if (await changeRecorded(tx, ledgerKey)) return replay(sub);
      const actor: Actor = request.actor ?? { type: 'customer', id: sub.customerId };
      const members = (await tx.sharing.members(sub.id)).length;
      const decision = decidePlanChange({ subscription: sub, currentPlan, newPlan, now, members });
      if (!decision.allowed) {
        throw new EligibilityError(`subscription ${sub.id} cannot change to plan ${newPlan.id}: ${decision.reason}`, [decision.reason], {
          details: { subscriptionId: sub.id, planId: newPlan.id },
        });
      }
      const { quote } = decision;
      const place = { moves, panelLocations: panel.locationTags, planLocations: newPlan.placement.allowedLocations };
      const capabilities = ctx.panels.handleFor(panel).adapter.capabilities;
      // A storefront's buyer: the reseller pays the same change at their prices (their price book on both plans).
      // Before the code, which is judged on this read of the buyer (`storefront_buyer`).
      // What a downgrade gives back at the reseller's prices (their credit when the change is applied).
      let resellerRefund = quote.refund;
      const storefront = await openStorefrontCharge(tx, sub.customerId, {
        source: 'plan_change',
        size: changeSize(sub, quote.newTrafficLimitBytes),
        wholesale: async (sale) => {
          const at = decidePlanChange({
            subscription: sub,
            currentPlan: await wholesaleTerms(tx, sale, currentPlan),
            newPlan: await buyerPlan(tx, sale.storefront.resellerId, listedNewPlan),
            now,
          });
          if (at.allowed) resellerRefund = at.quote.refund;
          return at.allowed ? at.quote.charge : quote.charge;
        },
      });
      const priced = await applyDiscount(tx, {
        code: request.discountCode,
        customerId: sub.customerId,
        storefrontId: storefront?.sale.storefront.id ?? null,
        now,
        ...planChangeDiscountTerms(quote, place),
      });
      const charged = await chargeAndQueueUpdate(ctx, tx, sub, capabilities, {
        storefront,
        action: 'change_plan',
        newExpiresAt: quote.newExpiresAt,
        newTrafficLimitBytes: quote.newTrafficLimitBytes,
        price: priced.price,
        discount: priced.discount,
        discountUse: 'plan_change',
        ledgerKey,
        ledgerKind: 'plan_change',
        actor,
        generation: moves || changesLink(capabilities) ? sub.remote.generation + 1 : sub.remote.generation,
        auditAction: 'subscription.plan_change_charged',
        reserve: async (inner) => {
          const target = await reserveNewSlot(inner, sub, newPlan, moves, storefront);
          const planChange: PlanChangePayload = {
            fromPlanId: currentPlan.id,
            toPlanId: newPlan.id,
            fromTargetId: sub.targetId,
            toTargetId: target.id,
            toPanelId: target.panelId,
            durationDays: newPlan.durationDays,
            deviceLimit: newPlan.deviceLimit,
            credit: quote.refund,
            storefrontCredit:
              storefront !== null && quote.refund.amount > 0
                ? { storefrontId: storefront.sale.storefront.id, wholesale: resellerRefund }
                : null,
            terms: termsOf(newPlan),
          };
          return { planChange, writesTo: { panelId: target.panelId, targetId: target.id } };
        },
      });
      if (charged === null) return replay(sub);
      return { subscription: sub, quote, discount: priced.discount, entry: charged.entry, moves, replayed: false };
    });
  } catch (error) {
    // Lost a race to another submission of this key: that one stands, this is its replay.
    if (!(await refusedByFirstSubmission(ctx.storage, ledgerKey, error))) throw error;
    const sub = await ctx.storage.subscriptions.get(request.subscriptionId);
    if (sub === null) throw error;
    return replay(sub);
  }
  if (result.entry !== null) ctx.events.emit('ledger:appended', { entry: result.entry, at: now });
  return result;
}
