import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { Order } from '../domain/order.js';
import type { DevicePackOffer } from '../domain/plan.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import { ConflictError, EligibilityError, NotFoundError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import { decideDevicePack, extraDevicesOf } from '../rules/device-pack.js';
import type { DevicePackDecision, DevicePackQuote } from '../rules/device-pack.js';
import type { EngineContext } from './context.js';
import { auditSubscription } from './context.js';
import { updateInFlight } from './extension.js';
import { queueDeviceLimitPush } from './device-limit-push.js';
import { soldPlan } from './sold-plan.js';
import { openStorefrontCharge, settleStorefrontCharge } from './storefront-charge.js';

/** The input of `kit.devices.buyPack`; an invalid one is a `ValidationError` and changes nothing. */
export const BuyDevicePackRequestSchema = z.object({
  subscriptionId: IdSchema,
  /** Whole devices to add; the plan's `devicePack` says the price and the most held at once. */
  devices: z.number().int().min(1).max(100),
  /** The client's key for this purchase: a second submission with it (a double tap, on any replica) charges nothing. */
  idempotencyKey: z.string().min(1).max(140),
  actor: ActorSchema.optional(),
});
/** See `BuyDevicePackRequestSchema`. */
export type BuyDevicePackRequest = z.input<typeof BuyDevicePackRequestSchema>;

/** What `kit.devices.buyPack` did. */
export interface BuyDevicePackResult {
  /** The subscription as stored after it: its `deviceLimit` is already the raised one. */
  subscription: Subscription;
  /** The pack's order (its one line: the plan, `quantity` devices at the prorated unit price); the replayed one on a replay. */
  order: Order;
  /** The pack's terms; `null` for a replay. */
  quote: DevicePackQuote | null;
  /** The debit (`device_pack`, naming the order); `null` for a replay. */
  entry: LedgerEntry | null;
  /** True when the key had been used: nothing new was charged or changed. */
  replayed: boolean;
}

/** What `kit.devices.quotePack` answers: the rule's decision, the offer as sold and the extra devices held now. */
export type DevicePackQuoteResult = DevicePackDecision & {
  /** The plan's offer as the subscription was sold it (`null`: not offered). */
  offer: DevicePackOffer | null;
  /** Extra devices the subscription holds now on top of its plan's limit. */
  extraDevices: number;
};

/** The ledger key (and, per customer, the order key) of a pack bought under a client's key. */
function packKey(subscriptionId: string, idempotencyKey: string): string {
  return `devices:${subscriptionId}:${idempotencyKey}`;
}

/** A subscription the caller named, read in `repos`; `NotFoundError` when there is none. */
async function subscriptionIn(repos: StorageRepositories, id: string): Promise<Subscription> {
  const sub = await repos.subscriptions.get(id);
  if (sub === null) throw new NotFoundError('subscription', id);
  return sub;
}

/** Quotes `devices` extra devices for the subscription now (the pure rule on its stored state and its plan as sold). Writes nothing. */
export async function quoteDevicePack(ctx: EngineContext, subscriptionId: string, devices: number): Promise<DevicePackQuoteResult> {
  const sub = await subscriptionIn(ctx.storage, parseInput(IdSchema, subscriptionId, 'subscription id'));
  const plan = await soldPlan(ctx.storage, sub);
  const decision = decideDevicePack({ subscription: sub, plan, devices, now: ctx.clock.now() });
  return { ...decision, offer: plan.devicePack, extraDevices: extraDevicesOf(sub, plan) };
}

function refuse(sub: Subscription, reason: string): EligibilityError {
  return new EligibilityError(`subscription ${sub.id} cannot get more devices now: ${reason}`, [reason], {
    details: { subscriptionId: sub.id },
  });
}

function changeInProgress(subscriptionId: string): ConflictError {
  return new ConflictError(`subscription ${subscriptionId} already has a change being applied`, {
    details: { reason: 'change_in_progress' },
  });
}

/**
 * Buys extra devices for a live subscription, in one transaction: the pack's order (one line: the plan, `devices`
 * at the prorated unit price, `completed`), its debit (`device_pack`, naming the order, so `kit.refund` refunds it
 * like any order), the subscription's raised `deviceLimit` (the link counts against it at once), the audit event
 * `subscription.devices_added`, and, where the panel enforces a device limit itself, the job that raises it there.
 *
 * Once per key: the order's key is unique per customer, so a replay, even one racing the first from another
 * replica, charges and changes nothing and returns the first order. A change already being applied (an extension,
 * a plan change) is a `ConflictError` (`change_in_progress`), as is a subscription changed meanwhile; a refused
 * quote an `EligibilityError` with the rule's reason; a wallet that cannot pay an `InsufficientFundsError`.
 */
export async function buyDevicePack(ctx: EngineContext, input: BuyDevicePackRequest): Promise<BuyDevicePackResult> {
  const request = parseInput(BuyDevicePackRequestSchema, input, 'device pack request');
  const now = ctx.clock.now();
  const key = packKey(request.subscriptionId, request.idempotencyKey);
  const replayOf = async (repos: StorageRepositories, sub: Subscription): Promise<BuyDevicePackResult | null> => {
    const order = await repos.orders.getByIdempotencyKey(sub.customerId, key);
    if (order === null) return null;
    // Read again: the order may have committed after `sub` was read (a double tap on two replicas), and a replay
    // answers with the limit that order raised, not the one before it.
    return { subscription: (await repos.subscriptions.get(sub.id)) ?? sub, order, quote: null, entry: null, replayed: true };
  };
  let result: BuyDevicePackResult;
  try {
    result = await ctx.storage.transaction(async (tx) => {
      const sub = await subscriptionIn(tx, request.subscriptionId);
      const replay = await replayOf(tx, sub);
      if (replay !== null) return replay;
      if (await updateInFlight(tx, sub.id)) throw changeInProgress(sub.id);
      const actor: Actor = request.actor ?? { type: 'customer', id: sub.customerId };
      const plan = await soldPlan(tx, sub);
      const decision = decideDevicePack({ subscription: sub, plan, devices: request.devices, now });
      if (!decision.allowed) throw refuse(sub, decision.reason);
      const { quote } = decision;
      // A storefront's buyer: its storefront locked first; a pack has one price for everyone, so the reseller pays it too.
      const storefront = await openStorefrontCharge(tx, sub.customerId, {
        source: 'device_pack',
        size: { subscriptions: 0, trafficBytes: 0 },
        wholesale: async () => quote.price,
      });
      // The order first: its key is unique per customer, so a second submission waits here for the first and is
      // refused (a replay), before it takes any lock the first holds.
      const created = await tx.orders.create({
        customerId: sub.customerId,
        status: 'completed',
        items: [{ planId: sub.planId, quantity: quote.devices, unitPrice: quote.unitPrice, trial: false }],
        total: quote.price,
        idempotencyKey: key,
        requestHash: `sha256:${createHash('sha256')
          .update(JSON.stringify([sub.id, quote.devices]))
          .digest('hex')}`,
      });
      const { entry } = await tx.ledger.append({
        customerId: sub.customerId,
        kind: 'device_pack',
        amount: -quote.price.amount,
        currency: quote.price.currency,
        idempotencyKey: key,
        subscriptionId: sub.id,
        orderId: created.id,
        note: `${quote.devices} extra device(s)`,
        actor,
      });
      const order = await tx.orders.update(created.id, { ledgerEntryId: entry.id });
      const next = await tx.subscriptions.update(sub.id, { deviceLimit: quote.newDeviceLimit }, { expectedRevision: sub.revision });
      await auditSubscription(tx, actor, 'subscription.devices_added', next, {
        devices: quote.devices,
        deviceLimit: quote.newDeviceLimit,
        extraDevices: quote.extraDevices,
        amount: quote.price.amount,
        currency: quote.price.currency,
        orderId: order.id,
      });
      await queueDeviceLimitPush(ctx, tx, next);
      // Its split names the order, so `kit.refund` of the order reverses it.
      if (storefront !== null)
        await settleStorefrontCharge(tx, storefront, {
          buyerId: sub.customerId,
          chargeKey: key,
          orderId: order.id,
          retail: quote.price,
          subscriptionId: sub.id,
          now,
          actor,
        });
      return { subscription: next, order, quote, entry, replayed: false };
    });
  } catch (error) {
    // Lost a race to another submission of this key: that one stands, this is its replay.
    if (!ConflictError.is(error)) throw error;
    const sub = await ctx.storage.subscriptions.get(request.subscriptionId);
    const replay = sub === null ? null : await replayOf(ctx.storage, sub);
    if (replay === null) throw error;
    return replay;
  }
  if (result.entry !== null) ctx.events.emit('ledger:appended', { entry: result.entry, at: now });
  return result;
}

/**
 * A full refund of a device pack's order takes its devices back, in the refund's transaction: the subscription's
 * limit goes down by the pack's devices (never below its plan's own limit: devices that fell back at a renewal are
 * not taken twice), audited `subscription.devices_removed`, and the panel's limit follows by a job. Returns the
 * subscription as updated, or `null` when the order is not a pack or nothing was left to take back.
 */
export async function takeBackDevicePack(
  ctx: EngineContext,
  tx: StorageRepositories,
  order: Order,
  entries: readonly LedgerEntry[],
  actor: Actor,
): Promise<Subscription | null> {
  const paid = entries.find((e) => e.kind === 'device_pack');
  if (paid === undefined || paid.subscriptionId === null) return null;
  const sub = await tx.subscriptions.get(paid.subscriptionId);
  if (sub === null || sub.status === 'terminated' || sub.deviceLimit === null) return null;
  const plan = await soldPlan(tx, sub);
  const devices = order.items.reduce((n, item) => n + item.quantity, 0);
  const taken = Math.min(devices, extraDevicesOf(sub, plan));
  if (taken <= 0) return null;
  const next = await tx.subscriptions.update(sub.id, { deviceLimit: sub.deviceLimit - taken }, { expectedRevision: sub.revision });
  await auditSubscription(tx, actor, 'subscription.devices_removed', next, {
    devices: taken,
    deviceLimit: next.deviceLimit,
    orderId: order.id,
    reason: 'order_refunded',
  });
  await queueDeviceLimitPush(ctx, tx, next);
  return next;
}
