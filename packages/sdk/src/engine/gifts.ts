import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import { GIFT_CODE_ALPHABET, GIFT_CODE_LENGTH, normalizeGiftCode } from '../domain/gift.js';
import type { Gift } from '../domain/gift.js';
import { createId } from '../domain/ids.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { Order } from '../domain/order.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import {
  CapacityExhaustedError,
  ConflictError,
  EligibilityError,
  IdempotencyConflictError,
  InsufficientFundsError,
  NotFoundError,
} from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { PlaceResult } from '../ports/storage-order-placement.js';
import { buyerPlan } from './buyer-price.js';
import { StorefrontRefusedError } from './storefront-sale.js';
import { checkoutPlacement } from './checkout-placement.js';
import type { EngineContext } from './context.js';
import { SCHEDULER_ACTOR } from './context.js';
import { auditPlacedNearlyFull } from './placement.js';

/** Why a gift cannot be claimed: `gift_claimed` (someone did), `gift_expired`, `own_gift` (the giver's own account). */
export type GiftClaimRefusal = 'gift_claimed' | 'gift_expired' | 'own_gift';
/**
 * Why a plan cannot be bought as a gift: `not_on_sale`, `free_plan` (a plan that costs nothing is no gift), or
 * `built_plan` (a plan the buyer composes has no one price to pay before its parts are chosen: its checkout prices
 * each choice, `quoteBuiltPlan`, and a gift carries none).
 */
export type GiftPurchaseRefusal = 'not_on_sale' | 'free_plan' | 'built_plan';

/** The longest an owner may let a gift wait for its recipient. */
export const MAX_GIFT_VALID_DAYS = 366;

/** Validates a gift purchase: the giver, the plan, how many days it waits to be claimed, the giver's key. */
export const BuyGiftRequestSchema = z.strictObject({
  customerId: IdSchema,
  planId: IdSchema,
  /** Days the gift can be claimed; unclaimed after that, its price goes back to the giver's wallet. */
  validDays: z.number().int().min(1).max(MAX_GIFT_VALID_DAYS),
  /** The giver's key for this purchase: the same key returns the same gift and charges once. */
  idempotencyKey: z.string().min(1).max(200),
  actor: ActorSchema.optional(),
});
/** Input of `kit.gifts.buy`. */
export type BuyGiftRequest = z.input<typeof BuyGiftRequestSchema>;

/** What `kit.gifts.buy` did: the gift and the giver's debit, or (`replayed`) the gift bought under this key before. */
export interface BuyGiftResult {
  gift: Gift;
  /** The giver's `purchase` debit; `null` on a replay. */
  debit: LedgerEntry | null;
  replayed: boolean;
}

/** Validates a claim: the code as typed and the claiming customer. */
export const ClaimGiftRequestSchema = z.strictObject({
  code: z.string().max(100),
  customerId: IdSchema,
  actor: ActorSchema.optional(),
});
/** Input of `kit.gifts.claim`. */
export type ClaimGiftRequest = z.input<typeof ClaimGiftRequestSchema>;

/** What `kit.gifts.claim` did: the claimed gift, and the claimer's order with its `pending` subscription. */
export interface ClaimGiftResult {
  gift: Gift;
  order: Order;
  subscriptions: Subscription[];
  /** True when this customer had already claimed this gift: nothing new was done. */
  replayed: boolean;
}

/** A fresh gift code: {@link GIFT_CODE_LENGTH} letters drawn uniformly from the alphabet by the system's CSPRNG. */
export function newGiftCode(): string {
  let code = '';
  for (let i = 0; i < GIFT_CODE_LENGTH; i++) code += GIFT_CODE_ALPHABET[randomInt(GIFT_CODE_ALPHABET.length)];
  return code;
}

const purchaseKey = (giftId: string) => `gift:${giftId}:purchase`;
const refundKey = (giftId: string) => `gift:${giftId}:refund`;

/**
 * Sells a plan as a gift: in one transaction the giver's wallet is debited the plan's price at their prices (a
 * `purchase` entry naming the gift) and an unclaimed gift with a fresh code is stored, valid for `validDays`.
 * Revenue is counted at this purchase; an expiry refunds it. The same key returns the same gift
 * (`IdempotencyConflictError` when it was for another plan). Throws `InsufficientFundsError`, `NotFoundError`,
 * `EligibilityError` (`GiftPurchaseRefusal`), `StorefrontRefusedError` (`gifts_not_sold`: a storefront's buyer) or
 * `ValidationError`, having written nothing.
 */
export async function buyGift(ctx: EngineContext, input: BuyGiftRequest): Promise<BuyGiftResult> {
  const request = parseInput(BuyGiftRequestSchema, input, 'gift purchase');
  const actor: Actor = request.actor ?? { type: 'customer', id: request.customerId };
  const replay = (gift: Gift): BuyGiftResult => {
    if (gift.planId !== request.planId) throw new IdempotencyConflictError(request.idempotencyKey);
    return { gift, debit: null, replayed: true };
  };
  const run = () =>
    ctx.storage.transaction(async (tx) => {
      const existing = await tx.gifts.getByIdempotencyKey(request.customerId, request.idempotencyKey);
      if (existing !== null) return replay(existing);
      const giver = await tx.customers.get(request.customerId);
      if (giver === null) throw new NotFoundError('customer', request.customerId);
      // A gift would sell the owner's plan at the owner's price past the storefront's menu and split: refused.
      if (giver.storefrontId !== null) throw new StorefrontRefusedError(giver.storefrontId, 'gifts_not_sold', { planId: request.planId });
      const listed = await tx.plans.get(request.planId);
      if (listed === null) throw new NotFoundError('plan', request.planId);
      if (!listed.onSale) throw purchaseRefused(listed.id, 'not_on_sale');
      if (listed.builder !== null) throw purchaseRefused(listed.id, 'built_plan');
      const plan = await buyerPlan(tx, request.customerId, listed);
      if (plan.price.amount <= 0) throw purchaseRefused(plan.id, 'free_plan');
      const giftId = createId('gift');
      const { entry } = await tx.ledger.append({
        customerId: request.customerId,
        kind: 'purchase',
        amount: -plan.price.amount,
        currency: plan.price.currency,
        idempotencyKey: purchaseKey(giftId),
        reference: giftId,
        note: 'gift',
        actor,
      });
      const now = ctx.clock.now();
      const gift = await tx.gifts.create({
        id: giftId,
        code: newGiftCode(),
        giverId: request.customerId,
        planId: plan.id,
        price: plan.price,
        idempotencyKey: request.idempotencyKey,
        expiresAt: new Date(now.getTime() + request.validDays * 86_400_000),
      });
      await tx.audit.append({
        actor,
        action: 'gift.bought',
        subjectType: 'gift',
        subjectId: gift.id,
        data: { planId: plan.id, amount: plan.price.amount, currency: plan.price.currency, expiresAt: gift.expiresAt.toISOString() },
      });
      return { gift, debit: entry, replayed: false };
    });
  let result: BuyGiftResult;
  try {
    result = await run();
  } catch (error) {
    // Two first submissions of one key raced and the other stored its gift (or, rarely, two codes collided), or the
    // other committed before this one's debit, which then found the wallet it spent: a replay of that gift either way.
    if (!ConflictError.is(error) && !InsufficientFundsError.is(error)) throw error;
    const gift = await ctx.storage.gifts.getByIdempotencyKey(request.customerId, request.idempotencyKey);
    if (gift === null) throw error;
    return replay(gift);
  }
  if (result.debit !== null) ctx.events.emit('ledger:appended', { entry: result.debit, at: ctx.clock.now() });
  return result;
}

function purchaseRefused(planId: string, reason: GiftPurchaseRefusal): EligibilityError {
  return new EligibilityError(`plan ${planId} cannot be bought as a gift: ${reason}`, [reason], { details: { planId } });
}

function claimRefused(code: string, reason: GiftClaimRefusal): EligibilityError {
  return new EligibilityError(`gift ${code} cannot be claimed: ${reason}`, [reason], { details: { code } });
}

/** Why an unclaimable gift is refused, as read after the claim matched nothing. */
function refusalOf(gift: Gift): GiftClaimRefusal {
  // Still unclaimed, the storage's clock found it past its time.
  return gift.status === 'claimed' ? 'gift_claimed' : 'gift_expired';
}

async function claimedBefore(tx: StorageRepositories, gift: Gift): Promise<ClaimGiftResult> {
  const order = await tx.orders.get(gift.orderId!);
  if (order === null) throw new NotFoundError('order', gift.orderId!);
  return { gift, order, subscriptions: await tx.subscriptions.listByOrder(order.id), replayed: true };
}

/**
 * Claims a gift for `customerId`: in one transaction the gift is marked claimed (one conditional step: of any
 * claims and expiries racing on it, in any process, exactly one wins) and an order of the gift's plan is placed
 * for the claimer with its `pending` subscription and provisioning job, as a checkout would, its period from
 * provisioning on. The order costs the claimer nothing (the giver paid); a provisioning that fails for good refunds
 * the gift's price to the claimer. Claiming a gift one already claimed replays it. Throws `NotFoundError` (no such
 * code), `EligibilityError` (`GiftClaimRefusal`), `CapacityExhaustedError` (the plan has no room now: the gift
 * stays unclaimed), having written nothing.
 */
export async function claimGift(ctx: EngineContext, input: ClaimGiftRequest): Promise<ClaimGiftResult> {
  const request = parseInput(ClaimGiftRequestSchema, input, 'gift claim');
  const actor: Actor = request.actor ?? { type: 'customer', id: request.customerId };
  const code = normalizeGiftCode(request.code);
  if (code === null) throw new NotFoundError('gift', request.code.slice(0, 40));
  const result = await ctx.storage.transaction(async (tx) => {
    const gift = await tx.gifts.getByCode(code);
    if (gift === null) throw new NotFoundError('gift', code);
    if (gift.status === 'claimed' && gift.claimedBy === request.customerId) return claimedBefore(tx, gift);
    if (gift.giverId === request.customerId) throw claimRefused(code, 'own_gift');
    const orderId = createId('ord');
    // The gift's row first (the lock order): a second claim or an expiry waits here, then matches nothing.
    const claimed = await tx.gifts.claim({ giftId: gift.id, claimedBy: request.customerId, orderId });
    if (claimed === null) {
      const after = (await tx.gifts.get(gift.id)) ?? gift;
      // This customer's own claim, made at the same time from elsewhere, won: replay it.
      if (after.status === 'claimed' && after.claimedBy === request.customerId) return claimedBefore(tx, after);
      throw claimRefused(code, refusalOf(after));
    }
    const plan = await tx.plans.get(gift.planId);
    if (plan === null) throw new NotFoundError('plan', gift.planId);
    const [targets, panels] = await Promise.all([tx.targets.list(), tx.panels.list()]);
    const item = { planId: plan.id, quantity: 1, trial: false, autoRenew: false };
    const basis = {
      ctx,
      actor,
      orderId,
      customerId: request.customerId,
      request: { idempotencyKey: `gift:${gift.id}`, items: [item] },
      hash: `gift:${gift.id}`,
      // The plan as the giver bought it: its price is what a failed provisioning gives back.
      plans: new Map([[plan.id, { ...plan, price: gift.price }]]),
      orderItems: [{ planId: plan.id, quantity: 1, unitPrice: gift.price, trial: false }],
      // The giver's debit paid for it: the claimer's order takes nothing from their wallet.
      total: { amount: 0, currency: gift.price.currency },
      unitsPaid: [[gift.price.amount]],
      discount: null,
      targets,
      panels,
    };
    const full = new Set<string>();
    let placed: PlaceResult;
    let planned: Map<string, number>;
    do {
      const next = checkoutPlacement(basis, full);
      planned = next.planned;
      placed = await tx.orders.place(next.placement);
      if (!placed.ok && placed.reason === 'plan_full')
        throw new CapacityExhaustedError(`plan ${placed.planId} has no free slots`, {
          details: { planId: placed.planId, reason: 'plan_full' },
        });
      if (!placed.ok) full.add(placed.targetId);
    } while (!placed.ok);
    await auditPlacedNearlyFull(tx, placed.targets, planned, targets);
    await tx.audit.append({
      actor,
      action: 'gift.claimed',
      subjectType: 'gift',
      subjectId: gift.id,
      data: { giverId: gift.giverId, claimedBy: request.customerId, orderId, planId: plan.id },
    });
    return { gift: claimed, order: placed.order, subscriptions: placed.subscriptions, replayed: false };
  });
  if (!result.replayed) ctx.events.emit('order:placed', { order: result.order, at: ctx.clock.now() });
  return result;
}

/**
 * Expires one due gift and refunds its price to the giver (a `refund` entry naming the gift, under a key of the
 * gift, so it is written once), in one transaction; `null` when it was claimed, expired or is not due (a racing
 * claim or expiry won). Idempotent.
 */
export async function expireGift(ctx: EngineContext, giftId: string, actor: Actor = SCHEDULER_ACTOR): Promise<Gift | null> {
  const result = await ctx.storage.transaction(async (tx) => {
    const expired = await tx.gifts.expire(giftId);
    if (expired === null) return null;
    const { entry } = await tx.ledger.append({
      customerId: expired.giverId,
      kind: 'refund',
      amount: expired.price.amount,
      currency: expired.price.currency,
      idempotencyKey: refundKey(expired.id),
      reference: expired.id,
      note: 'gift not claimed in time',
      actor,
    });
    await tx.audit.append({
      actor,
      action: 'gift.expired',
      subjectType: 'gift',
      subjectId: expired.id,
      data: { giverId: expired.giverId, refunded: expired.price.amount, currency: expired.price.currency },
    });
    return { expired, entry };
  });
  if (result === null) return null;
  ctx.events.emit('ledger:appended', { entry: result.entry, at: ctx.clock.now() });
  return result.expired;
}

/** Expires the gifts due now (at most `limit`, default 500), each in its own transaction; how many it expired. */
export async function expireDueGifts(ctx: EngineContext, options: { limit?: number } = {}): Promise<number> {
  const due = await ctx.storage.gifts.listExpiring(ctx.clock.now(), options.limit ?? 500);
  let expired = 0;
  for (const gift of due) if ((await expireGift(ctx, gift.id)) !== null) expired++;
  return expired;
}
