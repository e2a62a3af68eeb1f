import { z } from 'zod';
import { ActorSchema, IdSchema } from '../domain/common.js';
import type { Actor } from '../domain/common.js';
import type { LedgerEntry } from '../domain/ledger.js';
import { MoneySchema } from '../domain/money.js';
import type { Subscription } from '../domain/subscription.js';
import { HOLDS_CAPACITY, HAS_REMOTE_CLIENT, assertTransition } from '../domain/subscription-status.js';
import type { SubscriptionStatus } from '../domain/subscription-status.js';
import { parseInput } from '../domain/validate.js';
import { CapacityExhaustedError, ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { StorageRepositories } from '../ports/storage.js';
import type { EngineContext } from './context.js';
import { auditSubscription } from './context.js';
import { resumedStatus } from './desired-state.js';
import { JOB_TYPES, ProvisionPayloadSchema, parsePayload, provisionJob, subscriptionJob, jobAttempts } from './job-types.js';
import type { ProvisionPayload } from './job-types.js';
import { reserveSlot } from './placement.js';
import { writeSerialKey } from './serial-keys.js';
import { queueGroupFollow } from './sharing-follow-queue.js';

const ADMIN: Actor = Object.freeze({ type: 'admin', id: null });

/** Validates a top-up: customer, a positive amount, and the payment's own id as idempotency key. */
export const MoneyMovementSchema = z.object({
  customerId: IdSchema,
  amount: MoneySchema.refine((m) => m.amount > 0, 'must be positive'),
  /** The payment's own id (a receipt, a provider's payment id): the same key credits once. */
  idempotencyKey: z.string().min(1).max(200),
  reference: z.string().max(200).nullable().default(null),
  note: z.string().max(1000).nullable().default(null),
  orderId: IdSchema.nullable().default(null),
  subscriptionId: IdSchema.nullable().default(null),
  actor: ActorSchema.optional(),
});
/** Input of `kit.topUp`. */
export type MoneyMovement = z.input<typeof MoneyMovementSchema>;

async function credit(
  ctx: EngineContext,
  kind: 'top_up' | 'refund',
  input: MoneyMovement,
): Promise<{ entry: LedgerEntry; created: boolean }> {
  const m = parseInput(MoneyMovementSchema, input, kind === 'top_up' ? 'top-up' : 'refund');
  const actor = m.actor ?? ADMIN;
  const result = await ctx.storage.transaction(async (tx) => {
    const appended = await tx.ledger.append({
      customerId: m.customerId,
      kind,
      amount: m.amount.amount,
      currency: m.amount.currency,
      idempotencyKey: m.idempotencyKey,
      reference: m.reference,
      note: m.note,
      orderId: m.orderId,
      subscriptionId: m.subscriptionId,
      actor,
    });
    if (appended.created) {
      await tx.audit.append({
        actor,
        action: `ledger.${kind === 'top_up' ? 'topped_up' : 'refunded'}`,
        subjectType: 'customer',
        subjectId: m.customerId,
        data: { amount: m.amount.amount, currency: m.amount.currency },
      });
    }
    return appended;
  });
  if (result.created) ctx.events.emit('ledger:appended', { entry: result.entry, at: ctx.clock.now() });
  return result;
}

export const topUp = (ctx: EngineContext, input: MoneyMovement) => credit(ctx, 'top_up', input);

/** Validates an admin action on one subscription (suspend, resume, terminate, retry) and its reason. */
export const SubscriptionActionSchema = z.object({
  subscriptionId: IdSchema,
  reason: z.string().max(500).default('admin'),
  actor: ActorSchema.optional(),
});
/** Input of `kit.suspend`, `kit.resume`, `kit.terminate`, `kit.retryFailed` and `kit.approveProvisioning`. */
export type SubscriptionAction = z.input<typeof SubscriptionActionSchema>;

/** Loads, checks the move, applies it with audit, in one transaction; emits after commit. */
async function transition(
  ctx: EngineContext,
  input: SubscriptionAction,
  decide: (sub: Subscription, now: Date) => SubscriptionStatus,
  effects: (tx: StorageRepositories, before: Subscription, after: Subscription) => Promise<void>,
): Promise<Subscription> {
  const request = parseInput(SubscriptionActionSchema, input, 'subscription action');
  const actor = request.actor ?? ADMIN;
  const now = ctx.clock.now();
  const { before, after } = await ctx.storage.transaction(async (tx) => {
    const sub = await tx.subscriptions.get(request.subscriptionId);
    if (sub === null) throw new NotFoundError('subscription', request.subscriptionId);
    const to = decide(sub, now);
    assertTransition(sub.status, to);
    const updated = await tx.subscriptions.update(sub.id, { status: to }, { expectedRevision: sub.revision });
    await auditSubscription(tx, actor, `subscription.${to}`, updated, { from: sub.status, reason: request.reason });
    await effects(tx, sub, updated);
    return { before: sub, after: updated };
  });
  const event = { subscription: after, actor, at: now };
  if (after.status === 'suspended') ctx.events.emit('subscription:suspended', { ...event, reason: request.reason });
  else if (after.status === 'terminated') ctx.events.emit('subscription:terminated', event);
  else if (before.status === 'suspended') ctx.events.emit('subscription:resumed', event);
  return after;
}

const push = (ctx: EngineContext) => async (tx: StorageRepositories, _before: Subscription, after: Subscription) => {
  const serialKey = await writeSerialKey(ctx, tx, after);
  await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.push, after.id, { subscriptionId: after.id }, jobAttempts(ctx.policy), serialKey));
};

/** Disables a live subscription on its panel until it is resumed. */
export function suspend(ctx: EngineContext, input: SubscriptionAction): Promise<Subscription> {
  return transition(ctx, input, () => 'suspended', push(ctx));
}

/** Lifts a suspension: the subscription goes to whatever its time and usage imply. */
export function resume(ctx: EngineContext, input: SubscriptionAction): Promise<Subscription> {
  return transition(ctx, input, (sub, now) => (sub.status === 'suspended' ? resumedStatus(sub, now) : 'active'), push(ctx));
}

/** Ends a subscription for good: its slot is released, its client removed from the panel, a group's members ended with it. */
export function terminate(ctx: EngineContext, input: SubscriptionAction): Promise<Subscription> {
  return transition(
    ctx,
    input,
    () => 'terminated',
    async (tx, before) => {
      if (HOLDS_CAPACITY.has(before.status)) await tx.capacity.release({ targetId: before.targetId, planId: before.planId, count: 1 });
      await queueRemoval(ctx, tx, before);
      await queueGroupFollow(ctx, tx, before);
    },
  );
}

/**
 * The jobs side of ending a subscription that was `before` (now terminated): its queued provisioning is
 * cancelled and, when a client may be on the panel, its removal is queued.
 */
export async function queueRemoval(ctx: EngineContext, tx: StorageRepositories, before: Subscription): Promise<void> {
  const queued = await tx.jobs.list({ dedupeKey: `${JOB_TYPES.provision}:${before.id}`, state: 'queued' }, { limit: 1 });
  for (const job of queued.items) await tx.jobs.cancel(job.id);
  if (HAS_REMOTE_CLIENT.has(before.status) || before.status === 'pending') {
    const serialKey = await writeSerialKey(ctx, tx, before);
    const payload = { subscriptionId: before.id };
    await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.remove, before.id, payload, jobAttempts(ctx.policy), serialKey));
  }
}

/**
 * Provisions a failed subscription again (an admin's retry): takes a slot again, charges what was
 * paid for it again (it was refunded when it failed), and queues a new provisioning job. A new
 * permanent failure refunds this charge in turn.
 */
export async function retryFailed(ctx: EngineContext, input: SubscriptionAction): Promise<Subscription> {
  const request = parseInput(SubscriptionActionSchema, input, 'subscription action');
  const actor = request.actor ?? ADMIN;
  const now = ctx.clock.now();
  const { sub, entry } = await ctx.storage.transaction(async (tx) => {
    const sub = await tx.subscriptions.get(request.subscriptionId);
    if (sub === null) throw new NotFoundError('subscription', request.subscriptionId);
    assertTransition(sub.status, 'pending');
    if (sub.status !== 'failed') throw new ValidationError(`subscription ${sub.id} has not failed`);
    const plan = await tx.plans.get(sub.planId);
    if (plan === null) throw new NotFoundError('plan', sub.planId);
    const order = sub.orderId === null ? null : await tx.orders.get(sub.orderId);
    // What was paid for it (after a discount), as its last provisioning job carried it.
    const lastJob = (await tx.jobs.list({ dedupeKey: `${JOB_TYPES.provision}:${sub.id}` }, { limit: 1 })).items[0];
    const price =
      (lastJob === undefined ? undefined : parsePayload(ProvisionPayloadSchema, lastJob.payload, lastJob.type).price) ??
      order?.items.find((i) => i.planId === sub.planId && i.trial === sub.trial)?.unitPrice ??
      (sub.trial ? { amount: 0, currency: plan.price.currency } : plan.price);
    const round = sub.revision;
    // Locks in the order on `StoragePort.transaction`: the customer (the charge), the subscription,
    // then a slot (plan, target). A checkout of this customer takes the customer before any slot.
    let entry: LedgerEntry | null = null;
    if (price.amount > 0) {
      entry = (
        await tx.ledger.append({
          customerId: sub.customerId,
          kind: 'purchase',
          amount: -price.amount,
          currency: price.currency,
          idempotencyKey: `purchase:retry:${sub.id}:r${round}`,
          orderId: sub.orderId,
          subscriptionId: sub.id,
          actor,
        })
      ).entry;
    }
    // The panel is named (unchanged) so a storage that locks a unique-key write harder (Postgres: the
    // panel is part of one) takes that lock now, not a weaker one upgraded by a move below.
    const pending = { status: 'pending', failureReason: null, panelId: sub.panelId, targetId: sub.targetId } as const;
    let updated = await tx.subscriptions.update(sub.id, pending, { expectedRevision: sub.revision });
    let target = await tx.targets.get(sub.targetId);
    const sameSlot = { targetId: sub.targetId, planId: plan.id, count: 1 };
    const same = target === null ? { ok: false as const } : await tx.capacity.reserve(sameSlot);
    if (!same.ok) target = await reserveSlot(tx, plan, sub.kind);
    if (target === null) throw new CapacityExhaustedError(`no target has room for plan ${plan.id}`);
    if (target.id !== sub.targetId) {
      const moved = { panelId: target.panelId, targetId: target.id };
      updated = await tx.subscriptions.update(sub.id, moved, { expectedRevision: updated.revision });
    }
    const serialKey = await writeSerialKey(ctx, tx, { panelId: target.panelId, remoteRef: target.remoteRef });
    const payload = { subscriptionId: sub.id, price, round };
    await tx.jobs.enqueue(provisionJob(sub.id, target.id, payload, jobAttempts(ctx.policy), serialKey));
    await auditSubscription(tx, actor, 'subscription.retried', updated, { round, charged: price.amount });
    return { sub: updated, entry };
  });
  if (entry !== null) ctx.events.emit('ledger:appended', { entry, at: now });
  return sub;
}

/**
 * Starts provisioning a pending subscription that waits for an admin (its plan has
 * `autoProvision: false`). A subscription whose provisioning job is already queued or running
 * (a second click, an admin's retry) is left as it is: nothing is queued or audited again, so
 * that job keeps its round (which keys its refund). Not pending: `ConflictError`.
 */
export async function approveProvisioning(ctx: EngineContext, input: SubscriptionAction): Promise<Subscription> {
  const request = parseInput(SubscriptionActionSchema, input, 'subscription action');
  const actor = request.actor ?? ADMIN;
  return ctx.storage.transaction(async (tx) => {
    const sub = await tx.subscriptions.get(request.subscriptionId);
    if (sub === null) throw new NotFoundError('subscription', request.subscriptionId);
    if (sub.status !== 'pending') {
      throw new ConflictError(`subscription ${sub.id} is ${sub.status}, not pending`, {
        details: { reason: 'not_pending', status: sub.status },
      });
    }
    const dedupeKey = `${JOB_TYPES.provision}:${sub.id}`;
    for (const state of ['queued', 'running'] as const) {
      if ((await tx.jobs.list({ dedupeKey, state }, { limit: 1 })).items.length > 0) return sub;
    }
    // A job that ended without settling (e.g. cancelled) is queued again as it was.
    const latest = (await tx.jobs.list({ dedupeKey }, { limit: 1 })).items[0];
    let payload: ProvisionPayload;
    if (latest !== undefined) payload = parsePayload(ProvisionPayloadSchema, latest.payload, latest.type);
    else {
      const order = sub.orderId === null ? null : await tx.orders.get(sub.orderId);
      const plan = await tx.plans.get(sub.planId);
      if (plan === null) throw new NotFoundError('plan', sub.planId);
      const price = order?.items.find((i) => i.planId === sub.planId && i.trial === sub.trial)?.unitPrice ?? {
        amount: 0,
        currency: plan.price.currency,
      };
      payload = { subscriptionId: sub.id, price, round: 0 };
    }
    const serialKey = await writeSerialKey(ctx, tx, sub);
    const job = provisionJob(sub.id, sub.targetId, payload, jobAttempts(ctx.policy), serialKey);
    const { created } = await tx.jobs.enqueue(job);
    if (created) await auditSubscription(tx, actor, 'subscription.approved', sub, { round: payload.round });
    return sub;
  });
}
