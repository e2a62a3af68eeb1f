import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import { EligibilityError, NotFoundError } from '../errors.js';
import type { PanelCapabilities } from '../ports/panel.js';
import { decideTrafficTopUp } from '../rules/traffic-top-up.js';
import type { TrafficTopUpDecision, TrafficTopUpQuote } from '../rules/traffic-top-up.js';
import type { DiscountDecision, DiscountQuote } from '../rules/discount.js';
import type { EngineContext } from './context.js';
import { applyDiscount, quoteDiscount } from './discount.js';
import { changeSize, openStorefrontCharge, wholesaleTerms } from './storefront-charge.js';
import { chargeAndQueueUpdate, changeRecorded, refusedByFirstSubmission } from './extension.js';
import { soldPlan } from './sold-plan.js';

/** The input of `buyTraffic`; an invalid one is a `ValidationError` and changes nothing. */
export const BuyTrafficRequestSchema = z.object({
  subscriptionId: IdSchema,
  /** Whole GiB to add; the plan's `trafficTopUp` says the price and the most per purchase. */
  gib: z.number().int().min(1).max(100_000),
  /** The client's key for this purchase: a second submission with it charges nothing. */
  idempotencyKey: z.string().min(1).max(140),
  /** A discount code as typed; it must apply to `traffic_top_up` (refused with `EligibilityError` otherwise). */
  discountCode: z.string().trim().max(60).optional(),
  actor: ActorSchema.optional(),
});
/** See `BuyTrafficRequestSchema`. */
export type BuyTrafficRequest = z.input<typeof BuyTrafficRequestSchema>;

/** What `buyTraffic` did: the subscription as stored after it (the limit is raised later by the update job). */
export interface BuyTrafficResult {
  subscription: Subscription;
  /** `null` for a replay; `quote.price` is before any discount (the debit is `entry`). */
  quote: TrafficTopUpQuote | null;
  /** What the code took off; `null` without a code and on a replay. */
  discount: DiscountQuote | null;
  /** The debit; `null` for a replay. */
  entry: LedgerEntry | null;
  /** True when the key had been used: nothing new was charged or queued. */
  replayed: boolean;
}

/** The panel reason a top-up is refused even when the rule allows it: the client cannot be changed in place. */
export const TOP_UP_NEEDS_IN_PLACE = 'panel_cannot_update_in_place';

/** What `quoteTrafficTopUp` answers: the rule's decision and, when a code is given, the code's decision on its price. */
export type TrafficTopUpQuoteResult = TrafficTopUpDecision & {
  /**
   * The code's decision when one was given and the top-up is allowed (`null` otherwise): its quote
   * (the debit is `discount.quote.price`, `quote.price` being the price before it) or why it is refused.
   */
  discount: DiscountDecision | null;
};

/**
 * Quotes `gib` GiB of extra traffic for the subscription now (the pure rule on its stored state), and a
 * code's discount on its price when one is given (`traffic_top_up`, on its panel's locations). Writes nothing.
 */
export async function quoteTrafficTopUp(
  ctx: EngineContext,
  subscriptionId: string,
  gib: number,
  options: { discountCode?: string | undefined } = {},
): Promise<TrafficTopUpQuoteResult> {
  const sub = await ctx.storage.subscriptions.get(subscriptionId);
  if (sub === null) throw new NotFoundError('subscription', subscriptionId);
  const plan = await soldPlan(ctx.storage, sub);
  const now = ctx.clock.now();
  const decision = decideTrafficTopUp({ subscription: sub, plan, gib, now });
  const code = options.discountCode?.trim();
  if (!decision.allowed || code === undefined || code === '') return { ...decision, discount: null };
  const panel = await ctx.storage.panels.get(sub.panelId);
  const discount = await quoteDiscount(ctx.storage, {
    code,
    customerId: sub.customerId,
    use: 'traffic_top_up',
    planId: plan.id,
    locations: panel?.locationTags ?? [],
    on: 'panel',
    price: decision.quote.price,
    now,
  });
  return { ...decision, discount };
}

function refuse(sub: Subscription, reason: string): EligibilityError {
  return new EligibilityError(`subscription ${sub.id} cannot get more traffic now: ${reason}`, [reason], {
    details: { subscriptionId: sub.id },
  });
}

/**
 * Buys extra traffic: debits the wallet (`traffic_top_up`) and queues the update job that raises the
 * limit on the panel in place (usage and expiry kept; a limited subscription comes back to active),
 * in one transaction. The job refunds the debit if it fails for good. Once per key: a replay, even
 * one racing the first, charges and queues nothing. A change already being applied is a
 * `ConflictError` (`change_in_progress`); a refused quote an `EligibilityError` with the rule's reason.
 */
export async function buyTraffic(ctx: EngineContext, input: BuyTrafficRequest): Promise<BuyTrafficResult> {
  const request = parseInput(BuyTrafficRequestSchema, input, 'traffic top-up request');
  const now = ctx.clock.now();
  const ledgerKey = `traffic:${request.subscriptionId}:${request.idempotencyKey}`;
  const replay = (sub: Subscription): BuyTrafficResult => ({ subscription: sub, quote: null, discount: null, entry: null, replayed: true });
  let result: BuyTrafficResult;
  try {
    result = await ctx.storage.transaction(async (tx) => {
      const sub = await tx.subscriptions.get(request.subscriptionId);
      if (sub === null) throw new NotFoundError('subscription', request.subscriptionId);
      if (await changeRecorded(tx, ledgerKey)) return replay(sub);
      const actor: Actor = request.actor ?? { type: 'customer', id: sub.customerId };
      const panel = await tx.panels.get(sub.panelId);
      if (panel === null) throw new NotFoundError('panel', sub.panelId);
      const capabilities: PanelCapabilities = ctx.panels.handleFor(panel).adapter.capabilities;
      const plan = await soldPlan(tx, sub);
      const decision = decideTrafficTopUp({ subscription: sub, plan, gib: request.gib, now });
      if (!decision.allowed) throw refuse(sub, decision.reason);
      // Recreating the client would reset its usage, giving away more than was bought.
      if (!capabilities.inPlaceUpdate) throw refuse(sub, TOP_UP_NEEDS_IN_PLACE);
      const { quote } = decision;
      // A storefront's buyer: the reseller pays the same traffic at their price per GiB.
      // Before the code, which is judged on this read of the buyer (`storefront_buyer`).
      const storefront = await openStorefrontCharge(tx, sub.customerId, {
        source: 'traffic_top_up',
        size: changeSize(sub, quote.newTrafficLimitBytes),
        wholesale: async (sale) => {
          const at = decideTrafficTopUp({ subscription: sub, plan: await wholesaleTerms(tx, sale, plan), gib: request.gib, now });
          return at.allowed ? at.quote.price : quote.price;
        },
      });
      const priced = await applyDiscount(tx, {
        code: request.discountCode,
        customerId: sub.customerId,
        storefrontId: storefront?.sale.storefront.id ?? null,
        use: 'traffic_top_up',
        planId: plan.id,
        locations: panel.locationTags,
        on: 'panel',
        price: quote.price,
        now,
      });
      const charged = await chargeAndQueueUpdate(ctx, tx, sub, capabilities, {
        storefront,
        action: 'traffic',
        newExpiresAt: sub.expiresAt!,
        newTrafficLimitBytes: quote.newTrafficLimitBytes,
        price: priced.price,
        discount: priced.discount,
        discountUse: 'traffic_top_up',
        ledgerKey,
        ledgerKind: 'traffic_top_up',
        actor,
        generation: sub.remote.generation,
        auditAction: 'subscription.traffic_charged',
      });
      if (charged === null) return replay(sub);
      return { subscription: sub, quote, discount: priced.discount, entry: charged.entry, replayed: false };
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
