import type { Job } from '../../domain/job.js';
import type { LedgerEntry } from '../../domain/ledger.js';
import type { Subscription, SubscriptionPatch } from '../../domain/subscription.js';
import type { PanelkitError } from '../../errors.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { releaseDiscount } from '../discount.js';
import { lockStorefrontOfCharge, reverseStorefrontCharge, reverseStorefrontDowngrade } from '../storefront-charge.js';
import type { EngineContext } from '../context.js';
import { WORKER_ACTOR, auditSubscription } from '../context.js';
import { eachAlone } from '../handler.js';
import { queueGroupFollow } from '../sharing-follow-queue.js';
import type { HandlerEnv, JobHandler } from '../handler.js';
import { JOB_TYPES, UpdatePayloadSchema, parsePayload } from '../job-types.js';
import type { UpdatePayload } from '../job-types.js';
import { writeSerialKey } from '../serial-keys.js';
import { applyRemote, movesTarget } from './update-remote.js';
import type { RemoteResult } from './update-remote.js';

function payloadOf(job: Job): UpdatePayload {
  return parsePayload(UpdatePayloadSchema, job.payload, job.type);
}

function applied(sub: Subscription, p: UpdatePayload): boolean {
  if (p.planChange !== null && (sub.planId !== p.planChange.toPlanId || sub.targetId !== p.planChange.toTargetId)) return false;
  if (p.newDeviceLimit !== undefined && sub.deviceLimit !== p.newDeviceLimit) return false;
  return (
    sub.expiresAt?.toISOString() === p.newExpiresAt &&
    sub.remote.generation === p.generation &&
    sub.trafficLimitBytes === p.newTrafficLimitBytes
  );
}

/** Top-ups and plan changes give back what they took (money, a reserved slot) when their subscription ends first. */
function compensatesOnTermination(p: UpdatePayload): boolean {
  return p.action === 'traffic' || p.action === 'change_plan';
}

const AUDIT_DONE: Record<UpdatePayload['action'], string> = {
  extend: 'subscription.extended',
  reset: 'subscription.extended',
  renew: 'subscription.renewed',
  traffic: 'subscription.traffic_added',
  change_plan: 'subscription.plan_changed',
};

/** Once per job: refunds what was paid (and reverses a storefront sale's split) and frees the slot a plan change reserved. */
async function compensate(ctx: EngineContext, p: UpdatePayload, why: string): Promise<void> {
  const now = ctx.clock.now();
  const entry = await ctx.storage.transaction(async (tx) => {
    const sub = await tx.subscriptions.get(p.subscriptionId);
    if (sub === null) return null;
    // A storefront's sale: its storefront and reseller locked before the buyer, as the sale locked them.
    const storefrontSale = await lockStorefrontOfCharge(tx, p.ledgerKey);
    let refunded: LedgerEntry | null = null;
    let first = true;
    if (p.price.amount > 0) {
      const { entry, created } = await tx.ledger.append({
        customerId: sub.customerId,
        kind: 'refund',
        amount: p.price.amount,
        currency: p.price.currency,
        idempotencyKey: `refund:${p.ledgerKey}`,
        subscriptionId: sub.id,
        note: `${p.action} could not be applied`,
        actor: WORKER_ACTOR,
      });
      first = created;
      if (created) refunded = entry;
    } else if (p.planChange !== null) {
      // No refund entry to key on: the audit row says whether the slot was already freed.
      const history = await tx.audit.list({ subjectType: 'subscription', subjectId: sub.id }, { limit: 100 });
      first = !history.items.some((a) => a.action === 'subscription.plan_change_released' && a.data['ledgerKey'] === p.ledgerKey);
    }
    if (!first) return null;
    if (p.planChange !== null) {
      await tx.capacity.release({ targetId: p.planChange.toTargetId, planId: p.planChange.toPlanId, count: 1 });
      // An evacuation freed the old slot when it was queued: the subscription stays there, so it takes it back.
      if (p.evacuation) await tx.capacity.reserve({ targetId: p.planChange.fromTargetId, planId: p.planChange.fromPlanId, count: 1 });
      await auditSubscription(tx, WORKER_ACTOR, 'subscription.plan_change_released', sub, { ledgerKey: p.ledgerKey });
    }
    // A discount code spent on it gives its use back (once: released by the same key).
    await releaseDiscount(tx, p.ledgerKey);
    // The whole charge went back: so does its split (once per refund key).
    if (storefrontSale !== null)
      await reverseStorefrontCharge(tx, storefrontSale, {
        amount: p.price.amount,
        paid: p.price.amount,
        refundedBefore: 0,
        refundKey: `refund:${p.ledgerKey}`,
        actor: WORKER_ACTOR,
      });
    const action = p.action === 'traffic' ? 'traffic_refunded' : p.action === 'change_plan' ? 'plan_change_refunded' : 'extension_refunded';
    if (p.price.amount > 0)
      await auditSubscription(tx, WORKER_ACTOR, `subscription.${action}`, sub, { error: why, amount: p.price.amount });
    return refunded;
  });
  if (entry !== null) ctx.events.emit('ledger:appended', { entry, at: now });
}

export const updateHandler: JobHandler = {
  type: JOB_TYPES.update,

  async route(ctx, job) {
    const p = payloadOf(job);
    const sub = await ctx.storage.subscriptions.get(p.subscriptionId);
    if (sub === null || applied(sub, p)) return null;
    if (sub.status === 'terminated' && !compensatesOnTermination(p)) return null;
    return { panelId: sub.status !== 'terminated' && movesTarget(sub, p) ? p.planChange!.toPanelId : sub.panelId };
  },

  run: eachAlone(runOne),

  /** The change could not be applied for good: what was paid for it goes back. */
  async onDead(ctx: EngineContext, job: Job, error: PanelkitError): Promise<void> {
    await compensate(ctx, payloadOf(job), error.code);
  },
};

/** The stored state once the panel holds the change. */
function patchFor(current: Subscription, p: UpdatePayload, remote: RemoteResult, now: Date): SubscriptionPatch {
  const { client, links, identity } = remote;
  const remoteClientId = client.ref.remoteClientId ?? current.remoteClientId;
  const live = { remote: identity, remoteClientId, subscriptionUrl: links.subscriptionUrl, shareLinks: [...links.shareLinks] };
  if (p.action === 'traffic') {
    const used = client.usedBytes;
    const status = current.status === 'limited' && used < (p.newTrafficLimitBytes ?? Number.POSITIVE_INFINITY) ? 'active' : current.status;
    // Traffic warnings may be due again against the new limit.
    const notices = current.notices.filter((n) => !n.startsWith('traffic:'));
    return { ...live, status, trafficLimitBytes: p.newTrafficLimitBytes, usedBytes: used, usageObservedAt: now, notices };
  }
  const patch: SubscriptionPatch = {
    ...live,
    status: current.status === 'suspended' ? 'suspended' : 'active',
    expiresAt: new Date(p.newExpiresAt),
    trafficLimitBytes: p.newTrafficLimitBytes,
    // A renewal of an expired subscription revives it with a new period from now, as a reset does.
    activatedAt: p.action === 'extend' || (p.action === 'renew' && current.status !== 'expired') ? (current.activatedAt ?? now) : now,
    usedBytes: client.usedBytes,
    usageObservedAt: now,
    notices: [],
    // A renewal with or without a device pack's extra devices.
    ...(p.newDeviceLimit === undefined ? {} : { deviceLimit: p.newDeviceLimit }),
    // A trial extended is a trial converted in place (`trial_conversion`): from now on a paid subscription that
    // renews, changes plan and counts as sold like any.
    ...(current.trial ? { trial: false } : {}),
  };
  if (p.planChange === null) return patch;
  const c = p.planChange;
  return {
    ...patch,
    planId: c.toPlanId,
    panelId: c.toPanelId,
    targetId: c.toTargetId,
    durationDays: c.durationDays,
    deviceLimit: c.deviceLimit,
    terms: c.terms,
  };
}

/**
 * The plan change's bookkeeping, in the transaction that records it: the downgrade credit (customer
 * first in the lock order, after a storefront's: its split reversed by `reverseStorefrontDowngrade`), then after the subscription's update the old slot is freed and, for a
 * move, the old client's removal queued (only now that the new one works).
 */
async function creditPlanChange(tx: StorageRepositories, current: Subscription, p: UpdatePayload): Promise<LedgerEntry | null> {
  const credit = p.planChange?.credit;
  if (credit === undefined || credit.amount <= 0) return null;
  // A storefront buyer's downgrade: the storefront and its reseller locked before the buyer, as a sale locks them.
  const storefrontCredit = p.planChange?.storefrontCredit ?? null;
  const storefront = storefrontCredit === null ? null : await tx.storefronts.lockForSale(storefrontCredit.storefrontId);
  const { entry, created } = await tx.ledger.append({
    customerId: current.customerId,
    kind: 'plan_change',
    amount: credit.amount,
    currency: credit.currency,
    idempotencyKey: `credit:${p.ledgerKey}`,
    subscriptionId: current.id,
    note: 'unused value of the previous plan',
    actor: WORKER_ACTOR,
  });
  if (created && storefront !== null && storefrontCredit !== null)
    await reverseStorefrontDowngrade(tx, storefront, {
      buyerId: current.customerId,
      subscriptionId: current.id,
      chargeKey: p.ledgerKey,
      retail: credit,
      wholesale: storefrontCredit.wholesale,
      actor: WORKER_ACTOR,
    });
  return created ? entry : null;
}

async function retireOldSlot(ctx: EngineContext, tx: StorageRepositories, before: Subscription, p: UpdatePayload): Promise<void> {
  const c = p.planChange;
  if (c === null) return;
  // An evacuation freed the old slot when it was queued.
  if (!p.evacuation) await tx.capacity.release({ targetId: c.fromTargetId, planId: c.fromPlanId, count: 1 });
  if (before.targetId === c.toTargetId) return;
  const oldTarget = await tx.targets.get(before.targetId);
  if (oldTarget === null) return;
  const payload = { panelId: before.panelId, username: before.remote.username, targetRef: oldTarget.remoteRef };
  await tx.jobs.enqueue({
    type: JOB_TYPES.removeOrphan,
    payload,
    dedupeKey: `${JOB_TYPES.removeOrphan}:${before.panelId}:${before.remote.username}`,
    serialKey: await writeSerialKey(ctx, tx, { panelId: before.panelId, remoteRef: oldTarget.remoteRef }),
    maxAttempts: ctx.policy.jobRetry.maxAttempts + 1,
  });
}

async function runOne(env: HandlerEnv, job: Job): Promise<void> {
  const { ctx } = env;
  const p = payloadOf(job);
  const sub = await ctx.storage.subscriptions.get(p.subscriptionId);
  if (sub === null || applied(sub, p)) return;
  if (sub.status === 'terminated') {
    if (compensatesOnTermination(p)) await compensate(ctx, p, 'subscription_terminated');
    return;
  }
  const remote = await applyRemote(env, sub, p, job.id);
  await env.step('panel_called', job);
  const now = ctx.clock.now();
  const done = await ctx.storage.transaction(async (tx) => {
    const current = await tx.subscriptions.get(sub.id);
    if (current === null || current.status === 'terminated' || applied(current, p)) return null;
    const credit = await creditPlanChange(tx, current, p);
    const next = await tx.subscriptions.update(current.id, patchFor(current, p, remote, now), { expectedRevision: current.revision });
    await retireOldSlot(ctx, tx, current, p);
    const data = { expiresAt: p.newExpiresAt, linkChanged: remote.linkChanged };
    let extra: Record<string, string | number | null> = {};
    if (p.action === 'traffic') extra = { trafficLimitBytes: p.newTrafficLimitBytes };
    // What it cost (after any code), for the buyer's notice.
    else if (p.action === 'renew') extra = { amount: p.price.amount, currency: p.price.currency };
    else if (p.planChange !== null) extra = { fromPlanId: current.planId, planId: p.planChange.toPlanId };
    const doneAction = p.evacuation ? 'subscription.evacuated' : AUDIT_DONE[p.action];
    await auditSubscription(tx, WORKER_ACTOR, doneAction, next, { ...data, ...extra });
    // A family or team payer's new expiry reaches the members through their follow jobs, written with it.
    await queueGroupFollow(ctx, tx, next);
    return { next, before: current, credit };
  });
  await env.step('storage_written', job);
  if (done === null) return;
  const { next, before, credit } = done;
  const event = { subscription: next, actor: WORKER_ACTOR, at: now };
  if (credit !== null) ctx.events.emit('ledger:appended', { entry: credit, at: now });
  if (p.action === 'traffic') {
    ctx.events.emit('subscription:traffic_added', {
      ...event,
      addedBytes: (p.newTrafficLimitBytes ?? 0) - (before.trafficLimitBytes ?? 0),
    });
  } else if (p.action === 'change_plan') {
    const moved = before.targetId !== next.targetId;
    ctx.events.emit('subscription:plan_changed', { ...event, fromPlanId: before.planId, moved, linkChanged: remote.linkChanged });
  } else ctx.events.emit('subscription:extended', { ...event, action: p.action, linkChanged: remote.linkChanged });
}
