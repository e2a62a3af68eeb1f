import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { LedgerEntry } from '../domain/ledger.js';
import { MoneySchema } from '../domain/money.js';
import type { Order } from '../domain/order.js';
import type { Referral } from '../domain/referral.js';
import type { Subscription } from '../domain/subscription.js';
import { HOLDS_CAPACITY } from '../domain/subscription-status.js';
import { parseInput } from '../domain/validate.js';
import { ConflictError, IdempotencyConflictError, InsufficientFundsError, NotFoundError, RefundRefusedError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { decideOrderRefund, referralRewardAfterRefund, withinRefundWindow } from '../rules/refund.js';
import type { OrderRefundOutcome } from '../rules/refund.js';
import { spendable } from '../rules/credit.js';
import type { EngineContext } from './context.js';
import { auditSubscription } from './context.js';
import { orderPurchaseKey, releaseDiscount } from './discount.js';
import { queueRemoval } from './operations.js';
import { queueGroupFollow } from './sharing-follow-queue.js';
import { orderMoney } from './order-money.js';
import { takeBackDevicePack } from './device-pack.js';
import { lockStorefrontOfOrder, reverseStorefrontSale } from './storefront-sale.js';

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });
/** Used when the program was never set: the window `ReferralProgramSchema` defaults to. */
const DEFAULT_REFUND_WINDOW_DAYS = 30;

/** Validates a refund of (part of) an order: its customer, the order, a positive amount and an idempotency key. */
export const RefundRequestSchema = z.object({
  /** The order's customer: a refund naming another customer's order is refused (`not_customers_order`). */
  customerId: IdSchema,
  orderId: IdSchema,
  /** In the order's currency; at most what is left of what was paid for the order. */
  amount: MoneySchema.refine((m) => m.amount > 0, 'must be positive'),
  /** The same key refunds once (a double click, a retried request). */
  idempotencyKey: z.string().min(1).max(200),
  /** Why, in words the buyer reads (it goes into the ledger entry and the buyer's notice). */
  note: z.string().trim().max(1000).nullable().default(null),
  reference: z.string().max(200).nullable().default(null),
  actor: ActorSchema.optional(),
});
/** Input of `kit.refund`. */
export type RefundRequest = z.input<typeof RefundRequestSchema>;

/** What `kit.refund` did. */
export interface RefundResult {
  /** The refund entry (the one written before under the same key, when `created` is false). */
  entry: LedgerEntry;
  created: boolean;
  /** Whether all that was paid for the order has now gone back (code use freed, its subscriptions ended). */
  full: boolean;
  /** What is left to refund on the order, in minor units. */
  refundable: number;
  /** The order's subscriptions this refund ended (a full refund). */
  ended: Subscription[];
  /** The referral whose reward this refund lowered or reversed, and the debit on its referrer's wallet. */
  referral: { referral: Referral; reversal: LedgerEntry | null } | null;
}

/**
 * Refunds (part of) an order to its customer's wallet, in one transaction: checks the order is the
 * customer's, that nothing of it is still provisioning, and that this refund with the earlier ones
 * does not pass what was paid for it (`decideOrderRefund`, under the customer's ledger lock, so
 * concurrent refunds on any replica cannot pass it together). What it releases follows the share it
 * returns (see `OrderRefundOutcome`): a full refund frees the discount code use and ends the order's
 * subscriptions (their slots freed, their clients removed by jobs), or takes a device pack's devices back; a referral reward on the order is
 * lowered in the same share when the refund falls in the program's window; a storefront's sale has its split
 * reversed in that share (`reverseStorefrontSale`). Refusals throw
 * `RefundRefusedError` and write nothing; a missing order is `NotFoundError`.
 */
export async function refundOrder(ctx: EngineContext, input: RefundRequest): Promise<RefundResult> {
  const request = parseInput(RefundRequestSchema, input, 'refund');
  const actor = request.actor ?? ADMIN;
  // A referral credited meanwhile by the scheduler (see `lowerReferralReward`): run it again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await refundOnce(ctx, request, actor);
    } catch (error) {
      if (!(ConflictError.is(error) && error.details?.['reason'] === 'referral_moved' && attempt < 3)) throw error;
    }
  }
}

async function refundOnce(ctx: EngineContext, request: z.output<typeof RefundRequestSchema>, actor: Actor): Promise<RefundResult> {
  const now = ctx.clock.now();
  const result = await ctx.storage.transaction(async (tx) => {
    const order = await tx.orders.get(request.orderId);
    if (order === null) throw new NotFoundError('order', request.orderId);
    if (order.customerId !== request.customerId) throw new RefundRefusedError(order.id, 'not_customers_order', 0);
    // A storefront's sale: its storefront and reseller are locked before the buyer, as a sale locks them.
    const storefrontSale = await lockStorefrontOfOrder(tx, order.id);
    // The credit first: it takes the customer's lock (first in the lock order), so the checks below
    // see every refund of this order that committed before, and none can commit beside this one.
    const { entry, created } = await tx.ledger.append({
      customerId: order.customerId,
      kind: 'refund',
      amount: request.amount.amount,
      currency: request.amount.currency,
      idempotencyKey: request.idempotencyKey,
      orderId: order.id,
      reference: request.reference,
      note: request.note,
      actor,
    });
    const entries = await tx.ledger.listByOrder(order.id);
    const before = orderMoney(entries.filter((e) => e.id !== entry.id));
    if (!created) {
      if (entry.orderId !== order.id) throw new IdempotencyConflictError(request.idempotencyKey);
      const after = orderMoney(entries);
      const left = Math.max(0, after.paid - after.refunded);
      return { entry, created, full: left === 0, refundable: left, ended: [], referral: null };
    }
    const subs = await tx.subscriptions.listByOrder(order.id);
    const decision = decideOrderRefund({
      orderCustomerId: order.customerId,
      customerId: request.customerId,
      currency: order.total.currency,
      ...before,
      amount: request.amount,
      provisioning: subs.some((s) => s.status === 'pending'),
    });
    if (!decision.allowed) throw new RefundRefusedError(order.id, decision.reason, decision.left);
    const { outcome } = decision;
    const ended = outcome.full ? await endSubscriptions(tx, subs, actor) : [];
    // A device pack's order has no subscription of its own: a full refund takes its devices back instead.
    if (outcome.full) await takeBackDevicePack(ctx, tx, order, entries, actor);
    if (outcome.full) await releaseDiscount(tx, orderPurchaseKey(order.id));
    await tx.audit.append({
      actor,
      action: 'ledger.refunded',
      subjectType: 'customer',
      subjectId: order.customerId,
      data: { amount: entry.amount, currency: entry.currency, orderId: order.id, full: outcome.full, note: request.note },
    });
    await tx.audit.append({
      actor,
      action: 'order.refunded',
      subjectType: 'order',
      subjectId: order.id,
      data: { amount: entry.amount, currency: entry.currency, full: outcome.full, refundable: outcome.keptAfter, note: request.note },
    });
    const referral = await lowerReferralReward(tx, order, outcome, request.idempotencyKey, actor, now);
    if (storefrontSale !== null)
      await reverseStorefrontSale(tx, storefrontSale, {
        amount: entry.amount,
        paid: before.paid,
        refundedBefore: before.refunded,
        key: request.idempotencyKey,
        actor,
      });
    for (const { before } of ended) {
      await queueRemoval(ctx, tx, before);
      await queueGroupFollow(ctx, tx, before);
    }
    return { entry, created, full: outcome.full, refundable: outcome.keptAfter, ended: ended.map((e) => e.after), referral };
  });
  if (result.created) {
    ctx.events.emit('ledger:appended', { entry: result.entry, at: now });
    if (result.referral?.reversal) ctx.events.emit('ledger:appended', { entry: result.referral.reversal, at: now });
    for (const sub of result.ended) ctx.events.emit('subscription:terminated', { subscription: sub, actor, at: now });
  }
  return result;
}

/** A full refund ends the order's subscriptions that are not over yet; their slots go back now, their removal jobs at the end. */
async function endSubscriptions(
  tx: StorageRepositories,
  subs: readonly Subscription[],
  actor: Actor,
): Promise<{ before: Subscription; after: Subscription }[]> {
  const ended: { before: Subscription; after: Subscription }[] = [];
  for (const sub of subs) {
    if (sub.status === 'terminated' || sub.status === 'failed') continue;
    const after = await tx.subscriptions.update(sub.id, { status: 'terminated' }, { expectedRevision: sub.revision });
    if (HOLDS_CAPACITY.has(sub.status)) await tx.capacity.release({ targetId: sub.targetId, planId: sub.planId, count: 1 });
    await auditSubscription(tx, actor, 'subscription.terminated', after, { from: sub.status, reason: 'order_refunded' });
    ended.push({ before: sub, after });
  }
  return ended;
}

/**
 * When the order is the one a referral was rewarded for and the refund falls in the program's window,
 * the reward goes down in the share the refund returns (`referralRewardAfterRefund`). A reward already
 * credited is taken back from the referrer's wallet by a `referral` debit, as far as the wallet can pay
 * it (a balance never goes below its floor); what it cannot is recorded in the audit (`uncollected`).
 */
async function lowerReferralReward(
  tx: StorageRepositories,
  order: Order,
  outcome: OrderRefundOutcome,
  refundKey: string,
  actor: Actor,
  now: Date,
): Promise<{ referral: Referral; reversal: LedgerEntry | null } | null> {
  const referral = await tx.referrals.get(order.customerId);
  if (referral === null || referral.orderId !== order.id || referral.reward === null) return null;
  if (referral.status !== 'qualified' && referral.status !== 'rewarded') return null;
  const program = await tx.referrals.getProgram();
  if (!withinRefundWindow(order.createdAt, now, program?.refundWindowDays ?? DEFAULT_REFUND_WINDOW_DAYS)) return null;
  const reward = referralRewardAfterRefund(referral.reward, outcome.keptBefore, outcome.keptAfter);
  const taken = referral.reward.amount - reward.amount;
  if (taken <= 0) return null;
  let reversal: LedgerEntry | null = null;
  if (referral.status === 'rewarded') {
    const debit = (amount: number) =>
      tx.ledger.append({
        customerId: referral.referrerId,
        kind: 'referral',
        amount: -amount,
        currency: reward.currency,
        idempotencyKey: `referral:reversal:${refundKey}`,
        orderId: null,
        reference: order.id,
        note: 'referral reward taken back: the order was refunded',
        actor,
      });
    const wallet = spendable(
      await tx.ledger.balance(referral.referrerId, reward.currency),
      await tx.ledger.creditLimit(referral.referrerId, reward.currency),
    );
    let amount = Math.min(taken, Math.max(0, wallet));
    if (amount > 0) {
      try {
        reversal = (await debit(amount)).entry;
      } catch (error) {
        // The wallet moved between the read and the lock: take what it holds now.
        if (!InsufficientFundsError.is(error)) throw error;
        const creditLimit = Number(error.details?.['creditLimit'] ?? 0);
        amount = Math.min(taken, Math.max(0, spendable(error.balance, creditLimit)));
        reversal = amount > 0 ? (await debit(amount)).entry : null;
      }
    }
  }
  const lowered = await tx.referrals.reduceReward(order.customerId, reward);
  if (lowered === null || (referral.status === 'qualified') !== (lowered.status === 'qualified' || lowered.status === 'void')) {
    throw new ConflictError(`referral of ${order.customerId} changed meanwhile`, {
      retryable: true,
      details: { reason: 'referral_moved' },
    });
  }
  const collected = reversal === null ? 0 : -reversal.amount;
  await tx.audit.append({
    actor,
    action: `referral.${lowered.status === 'reversed' || lowered.status === 'void' ? 'reversed' : 'reduced'}`,
    subjectType: 'customer',
    subjectId: order.customerId,
    data: {
      orderId: order.id,
      referrerId: referral.referrerId,
      reward: reward.amount,
      taken,
      collected: referral.status === 'rewarded' ? collected : 0,
      uncollected: referral.status === 'rewarded' ? taken - collected : 0,
      currency: reward.currency,
    },
  });
  return { referral: lowered, reversal };
}
