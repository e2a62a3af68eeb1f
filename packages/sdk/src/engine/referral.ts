import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { Order } from '../domain/order.js';
import type { Referral } from '../domain/referral.js';
import { parseInput } from '../domain/validate.js';
import { ConflictError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { decideReferral, referralReward } from '../rules/referral.js';
import type { ReferralDenyReason } from '../rules/referral.js';
import type { EngineContext } from './context.js';
import { orderMoney } from './order-money.js';

/** What `recordReferral` takes: the customer who just signed up, and the owner of the link it came through. */
export const RecordReferralRequestSchema = z.object({
  /** The link's customer; `null` when the link named nobody the host knows. */
  referrerId: IdSchema.nullable(),
  referredId: IdSchema,
  actor: ActorSchema.optional(),
});
/** See `RecordReferralRequestSchema`. */
export type RecordReferralRequest = z.input<typeof RecordReferralRequestSchema>;

/** `recordReferral`'s answer: the referral recorded, or why none was. */
export type RecordReferralResult = { recorded: true; referral: Referral } | { recorded: false; reason: ReferralDenyReason };

/** The ledger key of a referred customer's reward: one credit per referred customer, ever. */
export function referralRewardKey(referredId: string): string {
  return `referral:${referredId}`;
}

/**
 * Records that `referredId` signed up through `referrerId`'s link, when `decideReferral` allows it (the
 * program on, not the customer's own link, not referred before, no order yet: a referral is taken only
 * at sign-up). A refusal writes nothing and is answered, not thrown: sign-up goes on without it.
 */
export async function recordReferral(ctx: EngineContext, input: RecordReferralRequest): Promise<RecordReferralResult> {
  const request = parseInput(RecordReferralRequestSchema, input, 'referral');
  const actor: Actor = request.actor ?? { type: 'customer', id: request.referredId };
  try {
    return await ctx.storage.transaction(async (tx): Promise<RecordReferralResult> => {
      const program = await tx.referrals.getProgram();
      const referrerExists = request.referrerId !== null && (await tx.customers.get(request.referrerId)) !== null;
      const alreadyReferred = (await tx.referrals.get(request.referredId)) !== null;
      const hasOrders = (await tx.orders.list({ customerId: request.referredId }, { limit: 1 })).items.length > 0;
      const decision = decideReferral({
        referrerId: request.referrerId,
        referredId: request.referredId,
        referrerExists,
        alreadyReferred,
        hasOrders,
        program,
      });
      if (!decision.allowed) return { recorded: false, reason: decision.reason };
      const referral = await tx.referrals.create({ referrerId: request.referrerId!, referredId: request.referredId });
      await tx.audit.append({
        actor,
        action: 'referral.recorded',
        subjectType: 'customer',
        subjectId: request.referredId,
        data: { referrerId: referral.referrerId },
      });
      return { recorded: true, referral };
    });
  } catch (error) {
    // Two sign-up requests of one customer raced: the other recorded it.
    if (ConflictError.is(error)) return { recorded: false, reason: 'already_referred' };
    throw error;
  }
}

/**
 * In the transaction that settles an order with at least one live subscription: when it is the
 * referred customer's first paid order to go live, fixes the referrer's reward (`referralReward` on
 * what the order finally cost: what was paid for it less what was refunded by then, e.g. its failed
 * units) and marks the referral qualified; the scheduler credits it (`creditReferralRewards`). Durable:
 * the mark commits with the order's settlement, and a crash before the credit leaves it qualified for
 * the next tick.
 */
export async function qualifyReferral(tx: StorageRepositories, order: Order, actor: Actor): Promise<void> {
  if (order.total.amount <= 0) return;
  const referral = await tx.referrals.get(order.customerId);
  if (referral === null || referral.status !== 'pending') return;
  const { paid, refunded } = orderMoney(await tx.ledger.listByOrder(order.id));
  const net = { amount: Math.max(0, paid - refunded), currency: order.total.currency };
  const reward = referralReward(await tx.referrals.getProgram(), net);
  const qualified = await tx.referrals.qualify(order.customerId, { orderId: order.id, reward });
  if (qualified === null) return;
  await tx.audit.append({
    actor,
    action: `referral.${qualified.status}`,
    subjectType: 'customer',
    subjectId: order.customerId,
    data: { orderId: order.id, reward: reward.amount, currency: reward.currency, net: net.amount },
  });
}

/**
 * Credits qualified referral rewards to their referrers' wallets: for each, one transaction appends the
 * `referral` ledger entry (key `referral:<referredId>`, so a replica or a retry racing it credits
 * nothing more) and marks the referral rewarded. Returns how many were credited here.
 */
export async function creditReferralRewards(ctx: EngineContext, actor: Actor, limit = 100): Promise<number> {
  let credited = 0;
  for (const referral of await ctx.storage.referrals.listQualified(limit)) {
    const entry = await ctx.storage
      .transaction(async (tx): Promise<LedgerEntry | null> => {
        const current = await tx.referrals.get(referral.referredId);
        if (current === null || current.status !== 'qualified' || current.reward === null) return null;
        const { entry, created } = await tx.ledger.append({
          customerId: current.referrerId,
          kind: 'referral',
          amount: current.reward.amount,
          currency: current.reward.currency,
          idempotencyKey: referralRewardKey(current.referredId),
          reference: current.orderId,
          note: 'referral reward',
          actor,
        });
        // Another replica rewarded it meanwhile, or a refund of its order lowered the reward since it was
        // read: roll this transaction back (its credit too, had it made one); the next tick pays what stands.
        const marked = await tx.referrals.markRewarded(current.referredId, entry.id);
        if (marked === null || marked.reward?.amount !== entry.amount)
          throw new ConflictError(`referral of ${current.referredId} was rewarded or lowered meanwhile`);
        await tx.audit.append({
          actor,
          action: 'referral.rewarded',
          subjectType: 'customer',
          subjectId: current.referrerId,
          data: { referredId: current.referredId, amount: entry.amount, currency: entry.currency },
        });
        return created ? entry : null;
      })
      .catch((error: unknown) => {
        if (ConflictError.is(error)) return null;
        throw error;
      });
    if (entry !== null) {
      credited++;
      ctx.events.emit('ledger:appended', { entry, at: ctx.clock.now() });
    }
  }
  return credited;
}
