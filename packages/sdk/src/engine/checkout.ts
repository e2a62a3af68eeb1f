import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ActorSchema, IdSchema, TagSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import { createId } from '../domain/ids.js';
import type { Customer } from '../domain/customer.js';
import type { Money } from '../domain/money.js';
import type { Order, OrderItem } from '../domain/order.js';
import type { Plan } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import {
  CapacityExhaustedError,
  ConflictError,
  EligibilityError,
  IdempotencyConflictError,
  NotFoundError,
  ValidationError,
} from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { decideTrial } from '../rules/trial.js';
import type { EngineContext } from './context.js';
import { normalizeDiscountCode } from '../domain/discount.js';
import { splitDiscount } from '../rules/discount.js';
import type { DiscountQuote } from '../rules/discount.js';
import { applyDiscount, discountRefused, orderPurchaseKey, redeemDiscount } from './discount.js';
import { auditPlacedNearlyFull, mayGoOnAfterPlacing, NEARLY_FULL_PERCENT } from './placement.js';
import { checkoutPlacement } from './checkout-placement.js';
import type { OrderPlacement, PlaceResult } from '../ports/storage-order-placement.js';
import { buyerPlan, pricerFromBook } from './buyer-price.js';
import { checkStorefrontQuotas, openStorefrontSale, pricerFor, settleStorefrontSale, StorefrontRefusedError } from './storefront-sale.js';
import { BuiltChoiceSchema } from '../domain/plan-builder.js';
import { builtUnits, checkPinnedLocation, priceBuiltItem } from './built-plan.js';
import { TrialIdentitySchema } from '../trials/identity.js';
import { claimTrialIdentities, recordTrialRefusal, refuseTrialsTakenMeanwhile, trialRefused, trialRefusalOf } from './trial-claims.js';
import { usedTrialFamilies } from './trial-families.js';

/**
 * One line of a checkout: a plan, how many (1–100, default 1), trial or not, auto-renew or not. An unknown
 * field (`qty`, `amount`) is refused, not dropped: it is most likely a caller's mistake about what is bought.
 */
export const CheckoutItemSchema = z.strictObject({
  planId: IdSchema,
  quantity: z.number().int().min(1).max(100).default(1),
  /** Take the plan's trial instead of buying it (quantity 1, once per person and family; a paid trial costs its price). */
  trial: z.boolean().default(false),
  /** Renew from the wallet before expiry. */
  autoRenew: z.boolean().default(false),
  /**
   * The buyer's choice for a plan they compose (`Plan.builder`): priced by `quoteBuiltPlan`, sold as one
   * subscription per chosen location (quantity 1). Required for such a plan, refused for a fixed one. A trial of
   * such a plan may name one too (the builder's defaults without it): it pays the trial's price, and its choice's
   * quoted price is what converting it to the paid plan charges.
   */
  choice: BuiltChoiceSchema.optional(),
  /**
   * Place this item's subscriptions in this location (a panel location tag the plan allows; see
   * `kit.planLocations`). A full location refuses with `CapacityExhaustedError` (`location_full`). A built plan
   * names its locations in `choice` instead.
   */
  location: TagSchema.optional(),
});
/** One line of a {@link CheckoutRequest}. */
export type CheckoutItem = z.input<typeof CheckoutItemSchema>;

/** Validates a checkout: the customer, 1–20 items, the client's idempotency key, an optional discount code; no other field. */
export const CheckoutRequestSchema = z.strictObject({
  customerId: IdSchema,
  items: z.array(CheckoutItemSchema).min(1).max(20),
  /** The client's key for this purchase: the same key replays the same result. */
  idempotencyKey: z.string().min(1).max(200),
  /**
   * A discount code as the buyer typed it; it must apply to every paid plan of the order (see `discountOrder`). A
   * storefront's buyer may use none: refused `storefront_buyer` (`takesDiscountCodes`).
   */
  discountCode: z.string().trim().max(60).optional(),
  /**
   * For trial lines: what the host knows of the buyer beyond the customer record (a verified phone, device ids).
   * The customer's Telegram id and e-mail are read from the customer; each key may hold one trial per plan family.
   */
  trialIdentity: TrialIdentitySchema.optional(),
  actor: ActorSchema.optional(),
});
/** Input of `kit.checkout`. Bad input throws `ValidationError` and writes nothing. */
export type CheckoutRequest = z.input<typeof CheckoutRequestSchema>;

/** What `kit.checkout` wrote (or found, on a replay): the order and its `pending` subscriptions, whose clients the worker creates. */
export interface CheckoutResult {
  /** `order.total` is what was paid: after the discount, when a code was used. */
  order: Order;
  /** What the code took off; `null` without a code, and on a replay. */
  discount: DiscountQuote | null;
  subscriptions: Subscription[];
  /** True when this key had already been used for the same request: nothing new was done. */
  replayed: boolean;
}

type ParsedItem = z.output<typeof CheckoutItemSchema>;

function requestHash(items: readonly ParsedItem[], discountCode: string | undefined): string {
  // A choice and a location only when there is one, so the hashes of orders without them stay what they were.
  const canonical: unknown[] = items.map((i) => {
    const line: unknown[] = [i.planId, i.quantity, i.trial, i.autoRenew];
    if (i.choice !== undefined) line.push(canonicalChoice(i.choice));
    if (i.location !== undefined) line.push(['location', i.location]);
    return line;
  });
  // Only with a code, so the hashes of orders placed without one stay what they were.
  if (discountCode !== undefined && discountCode !== '') canonical.push(['code', normalizeDiscountCode(discountCode) ?? discountCode]);
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical)).digest('hex')}`;
}

/** A choice with its keys in one order and its locations as chosen (their order places the subscriptions). */
function canonicalChoice(choice: NonNullable<ParsedItem['choice']>): unknown[] {
  return [choice.locations ?? null, choice.devices ?? null, choice.trafficGiB ?? null, choice.days ?? null];
}

/**
 * Loads the plans, checks eligibility, and prices the order at the customer's prices (list prices, or a
 * reseller's price book: `buyerPlan`; a storefront's buyer passes `pricer`, its retail prices); the plans returned
 * carry those prices. Throws before anything is written. `options.listed`: the plans as already read in this
 * transaction (`orders.checkoutContext`), a plan missing from it not found; without it each is read here.
 */
export async function priceItems(
  tx: StorageRepositories,
  customerId: string,
  items: readonly ParsedItem[],
  pricer: (plan: Plan) => Promise<Plan> = (plan) => buyerPlan(tx, customerId, plan),
  options: { phoneVerified?: boolean; listed?: ReadonlyMap<string, Plan> } = {},
): Promise<{ plans: Map<string, Plan>; orderItems: OrderItem[]; total: Money }> {
  const plans = new Map<string, Plan>();
  let trialFamilies: string[] | undefined;
  const orderItems: OrderItem[] = [];
  let currency: string | undefined;
  let total = 0;
  const read = async (planId: string) => (options.listed === undefined ? tx.plans.get(planId) : (options.listed.get(planId) ?? null));
  for (const item of items) {
    const listed = plans.get(item.planId) ?? (await read(item.planId));
    if (listed === null) throw new NotFoundError('plan', item.planId);
    // The customer's prices (a reseller's price book), frozen into the terms checkout sells.
    const plan = plans.get(item.planId) ?? (await pricer(listed));
    plans.set(plan.id, plan);
    if (item.trial) {
      if (item.quantity !== 1)
        throw new ValidationError('a trial is one subscription', [{ path: 'items.quantity', message: 'must be 1 for a trial' }]);
      trialFamilies ??= await usedTrialFamilies(tx, customerId);
      const decision = decideTrial({ plan, usedTrialFamilies: trialFamilies, phoneVerified: options.phoneVerified === true });
      if (!decision.allowed && (decision.reason === 'already_used' || decision.reason === 'phone_required'))
        throw trialRefused({
          planId: plan.id,
          family: plan.family,
          reason: decision.reason,
          matched: decision.reason === 'already_used' ? ['account'] : [],
        });
      if (!decision.allowed)
        throw new EligibilityError(`no trial of plan ${plan.id}: ${decision.reason}`, [decision.reason], { details: { planId: plan.id } });
      const price = decision.trial.price;
      if (price !== undefined && price !== null && price.currency !== plan.price.currency)
        throw new ValidationError("a paid trial is priced in its plan's currency", [
          { path: 'plan.trial.price', message: 'currency differs from the plan' },
        ]);
      trialFamilies.push(plan.family);
    } else if (!plan.onSale) {
      throw new EligibilityError(`plan ${plan.id} is not on sale`, ['not_on_sale'], { details: { planId: plan.id } });
    }
    checkPinnedLocation(plan, item);
    // A built plan's line is its quote (quantity 1); a fixed plan's is its price per unit.
    // A paid trial charges its own price; a free one nothing.
    const trialPrice = { amount: plan.trial?.price?.amount ?? 0, currency: plan.price.currency };
    const line = priceBuiltItem(plan, item, trialPrice) ?? {
      planId: plan.id,
      quantity: item.quantity,
      unitPrice: item.trial ? trialPrice : plan.price,
      trial: item.trial,
    };
    if (currency !== undefined && line.unitPrice.currency !== currency) {
      throw new ValidationError('every item of an order must be in one currency', [{ path: 'items', message: 'currencies differ' }]);
    }
    currency = line.unitPrice.currency;
    orderItems.push(line);
    total += line.unitPrice.amount * line.quantity;
  }
  return { plans, orderItems, total: { amount: total, currency: currency! } };
}

/** A placement with no target left: `quota_panels` when the storefront's panels quota took targets out. */
function placeWithin<T>(storefrontId: string | null, narrowed: boolean, place: () => T): T {
  try {
    return place();
  } catch (error) {
    if (storefrontId === null || !narrowed || !CapacityExhaustedError.is(error) || error.details?.['reason'] !== 'no_target') throw error;
    throw new StorefrontRefusedError(storefrontId, 'quota_panels', { planId: String(error.details?.['planId'] ?? '') });
  }
}

async function replay(tx: StorageRepositories, order: Order, hash: string, key: string): Promise<CheckoutResult> {
  if (order.requestHash !== hash) throw new IdempotencyConflictError(key);
  return { order, discount: null, subscriptions: await tx.subscriptions.listByOrder(order.id), replayed: true };
}

/** An order's price after its code: the total paid, each unit's paid price (`paid[item][unit]`), and the code's quote. */
export interface DiscountedOrder {
  total: Money;
  paid: number[][];
  discount: DiscountQuote | null;
}

/**
 * The discount step of a checkout. A code applies to an order when it applies to every paid plan in it
 * (each plan's allowed locations as the locations); its minimum is checked against the order's total.
 * What it takes off is split over the units (`splitDiscount`), so a unit that fails is refunded what
 * was paid for it. A refused code throws `EligibilityError` with the rule's reason; a storefront's buyer's code
 * `storefront_buyer`, judged on `customer` as the checkout read it (the read that decided the sale is a storefront's).
 */
export async function discountOrder(
  repos: StorageRepositories,
  customer: Pick<Customer, 'id' | 'storefrontId'>,
  discountCode: string | undefined,
  priced: { plans: Map<string, Plan>; orderItems: OrderItem[]; total: Money },
  now: Date,
): Promise<DiscountedOrder> {
  const units = priced.orderItems.map((item) => builtUnits(item) ?? Array.from({ length: item.quantity }, () => item.unitPrice.amount));
  let discount: DiscountQuote | null = null;
  const paidPlans = [...new Set(priced.orderItems.filter((i) => !i.trial && i.unitPrice.amount > 0).map((i) => i.planId))];
  if (discountCode !== undefined && discountCode !== '') {
    if (paidPlans.length === 0) throw discountRefused(discountCode, 'nothing_to_discount');
    for (const planId of paidPlans) {
      const plan = priced.plans.get(planId)!;
      const step = await applyDiscount(repos, {
        code: discountCode,
        customerId: customer.id,
        storefrontId: customer.storefrontId,
        use: 'purchase',
        planId,
        locations: plan.placement.allowedLocations,
        price: priced.total,
        now,
      });
      discount = step.discount;
    }
  }
  if (discount === null) return { total: priced.total, paid: units, discount: null };
  const flat = splitDiscount(units.flat(), discount.discount.amount);
  let at = 0;
  const paid = units.map((row) => row.map(() => flat[at++]!));
  return { total: discount.price, paid, discount };
}

/** The slots a placement takes of each plan: one a subscription. */
function slotsByPlan(placement: OrderPlacement): Map<string, number> {
  const slots = new Map<string, number>();
  for (const { planId } of placement.subscriptions) slots.set(planId, (slots.get(planId) ?? 0) + 1);
  return slots;
}

/**
 * Validates, checks eligibility, places every subscription, reserves capacity, debits the wallet,
 * and writes the order, its pending subscriptions and their provisioning jobs in one transaction.
 *
 * The transaction reads (the replayed order, the customer, the plans and price books, the targets and
 * panels: one `orders.checkoutContext`) and then writes everything with one `orders.place`, which takes the slots last: the plan's
 * and target's counters are locked from there to `COMMIT`, not from the first slot on. A target that
 * filled since it was read is refused without a write, and the order is placed again without it. Lock
 * order: the customer (the debit), the plans, the targets (by id), then a discount code.
 *
 * A storefront's buyer (`Customer.storefrontId`) buys from its menu at its retail prices: the storefront and its
 * reseller are locked first, its status and quotas checked, and after the order the reseller's wholesale debit, the
 * retail (and bonus) to their payout balance and the sale's record are written in the same transaction (see
 * `settleStorefrontSale`); a refusal is a `StorefrontRefusedError` and writes nothing.
 */
export async function checkout(ctx: EngineContext, input: CheckoutRequest): Promise<CheckoutResult> {
  const request = parseInput(CheckoutRequestSchema, input, 'checkout request');
  const actor: Actor = request.actor ?? { type: 'customer', id: request.customerId };
  const hash = requestHash(request.items, request.discountCode);
  const run = () =>
    ctx.storage.transaction(async (tx) => {
      // The reads before any lock, in one: the replayed order, the customer, the plans and their price book lines,
      // the targets and the panels.
      const context = await tx.orders.checkoutContext({
        customerId: request.customerId,
        idempotencyKey: request.idempotencyKey,
        planIds: request.items.map((i) => i.planId),
      });
      if (context.order !== null) return replay(tx, context.order, hash, request.idempotencyKey);
      const customer = context.customer;
      if (customer === null) throw new NotFoundError('customer', request.customerId);
      // A storefront and its reseller are locked before the buyer (the debit), as the lock order wants. A submit of the
      // same key that sold on another replica while this one waited for the lock is replayed by the catch below: what
      // it did refuses this one (the quota it used, the target's last slot it took, or else its order's key).
      const shop = customer.storefrontId === null ? null : await openStorefrontSale(tx, customer.storefrontId);
      // A storefront's buyer reads its plans after the storefront's lock, as before; anyone else prices from the context.
      const phoneVerified = request.trialIdentity?.phone !== undefined;
      // Its look at the buyer's trials is made before any lock: a refusal there may be this key's own first submission,
      // committed since the context was read (see the catch below).
      const priced =
        shop === null
          ? await priceItems(tx, customer.id, request.items, pricerFromBook(context.priceBook), {
              phoneVerified,
              listed: new Map(context.plans.map((p) => [p.id, p])),
            })
          : await priceItems(tx, customer.id, request.items, pricerFor(tx, customer), { phoneVerified });
      const { plans, orderItems } = priced;
      // The first lock of the transaction: a second account of the same person, or a second trial checkout of this
      // customer on any replica, waits here for the first to commit.
      const trialPlans = request.items.filter((i) => i.trial).map((i) => plans.get(i.planId)!);
      await claimTrialIdentities(tx, customer, trialPlans, request.trialIdentity);
      // What the claim waited for may be this key's own first submission: its trial refuses this one here, and the catch
      // below replays that order instead (before recording any refusal).
      await refuseTrialsTakenMeanwhile(tx, customer.id, trialPlans);
      const { total, paid: unitsPaid, discount } = await discountOrder(tx, customer, request.discountCode, priced, ctx.clock.now());
      const orderId = createId('ord');
      // Read again after a lock the transaction waited on (the storefront's, a trial's claim), as they were before.
      const [allTargets, panels] =
        shop === null && trialPlans.length === 0
          ? [[...context.targets], [...context.panels]]
          : await Promise.all([tx.targets.list(), tx.panels.list()]);
      const targets = shop === null ? allTargets : await checkStorefrontQuotas(tx, shop, request.items, plans, allTargets);
      const basis = {
        ctx,
        actor,
        orderId,
        customerId: customer.id,
        request,
        hash,
        plans,
        orderItems,
        total,
        unitsPaid,
        discount,
        targets,
        panels,
      };
      // Targets `orders.place` found full since they were read: placed again without them.
      const full = new Set<string>();
      // Nothing follows a placement but a storefront's settlement, a code's redemption or a `target.nearly_full` audit:
      // without them the storage may commit with it.
      const last = shop === null && discount === null ? { last: { nearlyFullPercent: NEARLY_FULL_PERCENT } } : undefined;
      let placed: PlaceResult;
      let planned: Map<string, number>;
      do {
        const next = placeWithin(shop?.storefront.id ?? null, allTargets.length !== targets.length, () => checkoutPlacement(basis, full));
        planned = next.planned;
        // The slots are taken last, inside this one call: their rows stay locked only from here to COMMIT. A placement the
        // targets as read say it goes on after (a crossing to audit, a full target) is not told it is last: the storage
        // would hold its COMMIT back and run the transaction again.
        const slots = { targets: next.planned, plans: slotsByPlan(next.placement) };
        placed = await tx.orders.place(next.placement, mayGoOnAfterPlacing(slots, { targets, plans }) ? undefined : last);
        if (!placed.ok && placed.reason === 'plan_full') {
          throw new CapacityExhaustedError(`plan ${placed.planId} has no free slots`, {
            details: { planId: placed.planId, reason: 'plan_full' },
          });
        }
        if (!placed.ok) full.add(placed.targetId);
      } while (!placed.ok);
      await auditPlacedNearlyFull(tx, placed.targets, planned, targets);
      if (shop !== null) await settleStorefrontSale(tx, shop, { order: placed.order, items: request.items, now: ctx.clock.now(), actor });
      // After the debit and the slots (the lock order): the last use cannot be taken twice.
      if (discount !== null)
        await redeemDiscount(tx, discount, {
          customerId: customer.id,
          key: orderPurchaseKey(orderId),
          use: 'purchase',
          orderId,
        });
      return { order: placed.order, discount, subscriptions: placed.subscriptions, replayed: false };
    });

  let result: CheckoutResult;
  try {
    result = await run();
  } catch (error) {
    // This key's first submission may have committed on another replica since the context was read. Then a refusal is
    // what that order did to this transaction's reads before its first lock, or after a lock it waited for (the trial
    // it took, a code's last use or the buyer's one use, a first-purchase code's first purchase, its storefront's quota,
    // the last slot of a target read again after the lock), and a conflict is the key's order taken: a replay of that
    // order either way, never a refusal. A read only when refused.
    if (EligibilityError.is(error) || ConflictError.is(error) || CapacityExhaustedError.is(error)) {
      const order = await ctx.storage.orders.getByIdempotencyKey(request.customerId, request.idempotencyKey);
      if (order !== null) return ctx.storage.transaction((tx) => replay(tx, order, hash, request.idempotencyKey));
    }
    const refusal = trialRefusalOf(error);
    if (refusal !== null) {
      // The owner's record of the attempt; failing to write it must not hide the refusal from the buyer.
      await recordTrialRefusal(ctx.storage, request.customerId, actor, refusal).catch((recordError: unknown) =>
        ctx.logger.warn({ err: recordError }, 'could not record a refused trial'),
      );
    }
    throw error;
  }
  if (!result.replayed) {
    const at = ctx.clock.now();
    ctx.events.emit('order:placed', { order: result.order, at });
  }
  return result;
}
