import type { ClaimedJob, Job } from '../../domain/job.js';
import type { Subscription, SubscriptionPatch } from '../../domain/subscription.js';
import type { Target } from '../../domain/target.js';
import { ConflictError, NotFoundError, toPanelkitError } from '../../errors.js';
import type { PanelkitError } from '../../errors.js';
import type { ClientSpec, CreatedClient, RemoteClient } from '../../ports/panel.js';
import { addDays } from '../../rules/time.js';
import type { EngineContext } from '../context.js';
import { WORKER_ACTOR, auditSubscription } from '../context.js';
import { specOf, targetRefOf } from '../desired-state.js';
import { outcomeOf } from '../handler.js';
import type { HandlerEnv, JobHandler, JobOutcome, JobRoute } from '../handler.js';
import { JOB_TYPES, ProvisionPayloadSchema, parsePayload, jobAttempts, subscriptionJob } from '../job-types.js';
import { settleOrder } from '../order-status.js';
import { writeSerialKey } from '../serial-keys.js';
import { assertPanelUsable } from './panel-guard.js';

function payloadOf(job: Job) {
  return parsePayload(ProvisionPayloadSchema, job.payload, job.type);
}

/** A client's links, as its create gave them or as asked for after. */
type Links = { subscriptionUrl: string | null; shareLinks: readonly string[] };

/**
 * The pending subscription `route` read for a claimed job, taken by `run` for that same job object
 * instead of reading it again. A stale copy costs nothing: the write after the panel call compares
 * its revision under the row's lock.
 */
const routed = new WeakMap<Job, Subscription>();

/** The subscription of a provisioning job when it still waits for its client, else `null`. */
async function pendingSubscription(ctx: EngineContext, job: Job): Promise<Subscription | null> {
  const sub = await ctx.storage.subscriptions.get(payloadOf(job).subscriptionId);
  return sub !== null && sub.status === 'pending' ? sub : null;
}

/** The spec a new client gets: a period that starts now, unless it waits for first use. */
function newClientSpec(sub: Subscription, capabilities: Parameters<typeof specOf>[1], now: Date): ClientSpec {
  const spec = specOf(sub, capabilities);
  if (sub.expiresAt === null && !sub.startOnFirstUse) return { ...spec, expiry: { type: 'at', at: addDays(now, sub.durationDays) } };
  return spec;
}

/** A pending subscription made live with its client: active, or on hold until first use. */
function provisioned(current: Subscription, client: RemoteClient, links: Links, now: Date): SubscriptionPatch {
  const waiting = current.startOnFirstUse && client.expiry.type !== 'at';
  const expiresAt = client.expiry.type === 'at' ? client.expiry.at : waiting ? null : addDays(now, current.durationDays);
  return {
    status: waiting ? 'on_hold' : 'active',
    activatedAt: waiting ? null : now,
    expiresAt,
    remoteClientId: client.ref.remoteClientId ?? null,
    subscriptionUrl: links.subscriptionUrl,
    shareLinks: [...links.shareLinks],
    usedBytes: client.usedBytes,
    usageObservedAt: now,
    failureReason: null,
  };
}

/**
 * Writes the live subscription once its client exists (or was adopted). `sub` is the pending
 * subscription as read before its client was made: the update's locked read compares its revision,
 * so while nothing changed it since, no second read is needed.
 */
async function markProvisioned(ctx: EngineContext, sub: Subscription, client: RemoteClient, links: Links): Promise<Subscription | null> {
  const now = ctx.clock.now();
  const written = await ctx.storage.transaction(async (tx) => {
    let updated: Subscription;
    try {
      updated = await tx.subscriptions.update(sub.id, provisioned(sub, client, links, now), { expectedRevision: sub.revision });
    } catch (error) {
      if (!ConflictError.is(error)) throw error;
      // Changed meanwhile: judge it as it is now.
      const current = await tx.subscriptions.get(sub.id);
      if (current === null) throw new NotFoundError('subscription', sub.id);
      if (current.status === 'terminated') {
        // Terminated while its client was being made: take the client away again.
        const serialKey = await writeSerialKey(ctx, tx, current);
        await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.remove, sub.id, { subscriptionId: sub.id }, jobAttempts(ctx.policy), serialKey));
        return null;
      }
      if (current.status !== 'pending') return null;
      updated = await tx.subscriptions.update(current.id, provisioned(current, client, links, now), { expectedRevision: current.revision });
    }
    await auditSubscription(tx, WORKER_ACTOR, 'subscription.provisioned', updated, { status: updated.status });
    const order = await settleOrder(tx, updated.orderId, WORKER_ACTOR);
    return { updated, order };
  });
  if (written === null) return null;
  ctx.events.emit('subscription:provisioned', { subscription: written.updated, actor: WORKER_ACTOR, at: now });
  if (written.order?.status === 'completed') ctx.events.emit('order:completed', { order: written.order, at: now });
  return written.updated;
}

export const provisionHandler: JobHandler = {
  type: JOB_TYPES.provision,

  async route(ctx, job): Promise<JobRoute | null> {
    const sub = await pendingSubscription(ctx, job);
    // Already provisioned, failed, or terminated before its client was made: nothing to do.
    if (sub === null) return null;
    routed.set(job, sub);
    return { panelId: sub.panelId, batchKey: `target:${sub.targetId}` };
  },

  async run(env: HandlerEnv, jobs: readonly ClaimedJob[]): Promise<Map<string, JobOutcome>> {
    const { ctx } = env;
    const outcomes = new Map<string, JobOutcome>();
    const work: { claimed: ClaimedJob; sub: Subscription }[] = [];
    for (const claimed of jobs) {
      const read = routed.get(claimed.job);
      routed.delete(claimed.job);
      const sub = read ?? (await pendingSubscription(ctx, claimed.job));
      if (sub === null) outcomes.set(claimed.job.id, { ok: true });
      else work.push({ claimed, sub });
    }
    const first = work[0];
    if (first === undefined) return outcomes;
    const failAll = (error: unknown) => {
      for (const w of work) outcomes.set(w.claimed.job.id, { ok: false, error: toPanelkitError(error) });
      return outcomes;
    };
    let target: Target | null;
    let remote: CreatedClient[];
    const handle = await ctx.panels.get(first.sub.panelId);
    try {
      assertPanelUsable(handle, 'createClients');
      target = await ctx.storage.targets.get(first.sub.targetId);
      if (target === null) throw new NotFoundError('target', first.sub.targetId);
      const now = ctx.clock.now();
      const specs = work.map((w) => newClientSpec(w.sub, handle.adapter.capabilities, now));
      const ref = targetRefOf(target);
      remote = await env.call(handle, `provision:${first.claimed.job.id}`, (c) => handle.adapter.createClients(ref, specs, c), {
        first: true,
        attempt: first.claimed.job.attempts,
      });
    } catch (error) {
      return failAll(error);
    }
    // Each client goes on alone from here: its links (unless the create gave them), its storage write.
    await Promise.all(
      work.map(async (w, i) => {
        const client = remote[i];
        const outcome = await outcomeOf(async () => {
          if (client === undefined) throw new NotFoundError('created client', w.sub.remote.username);
          await env.step('panel_called', w.claimed.job);
          const links = client.links ?? (await env.call(handle, `links:${w.sub.id}`, (c) => handle.adapter.links(client.ref, c)));
          await markProvisioned(ctx, w.sub, client, links);
          await env.step('storage_written', w.claimed.job);
        }, toPanelkitError);
        outcomes.set(w.claimed.job.id, outcome);
      }),
    );
    return outcomes;
  },

  /** For good: the subscription fails, its slot is released, and what was paid is refunded. */
  async onDead(ctx: EngineContext, job: Job, error: PanelkitError): Promise<void> {
    const { subscriptionId, price, round } = payloadOf(job);
    const now = ctx.clock.now();
    const result = await ctx.storage.transaction(async (tx) => {
      const sub = await tx.subscriptions.get(subscriptionId);
      if (sub === null || sub.status !== 'pending') return null;
      // The refund first: it locks the customer, which comes before the subscription, its slot and
      // its order (the lock order on `StoragePort.transaction`; a checkout takes the customer first).
      let refund = null;
      if (price.amount > 0) {
        refund = (
          await tx.ledger.append({
            customerId: sub.customerId,
            kind: 'refund',
            amount: price.amount,
            currency: price.currency,
            idempotencyKey: `refund:provision:${sub.id}:r${round}`,
            orderId: sub.orderId,
            subscriptionId: sub.id,
            note: 'provisioning failed',
            actor: WORKER_ACTOR,
          })
        ).entry;
      }
      const failed = await tx.subscriptions.update(
        sub.id,
        { status: 'failed', failureReason: `${error.code}: ${error.message}`.slice(0, 1000) },
        { expectedRevision: sub.revision },
      );
      await tx.capacity.release({ targetId: sub.targetId, planId: sub.planId, count: 1 });
      await auditSubscription(tx, WORKER_ACTOR, 'subscription.failed', failed, { error: error.code, refunded: price.amount });
      const order = await settleOrder(tx, failed.orderId, WORKER_ACTOR);
      return { failed, refund, order };
    });
    if (result === null) return;
    ctx.events.emit('subscription:failed', { subscription: result.failed, actor: WORKER_ACTOR, at: now, reason: error.code });
    if (result.refund !== null) ctx.events.emit('ledger:appended', { entry: result.refund, at: now });
    if (result.order !== null && result.order.status !== 'completed') ctx.events.emit('order:failed', { order: result.order, at: now });
  },
};
