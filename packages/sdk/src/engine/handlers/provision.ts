import type { ClaimedJob, Job } from '../../domain/job.js';
import type { Panel } from '../../domain/panel.js';
import type { Subscription } from '../../domain/subscription.js';
import type { Target } from '../../domain/target.js';
import { NotFoundError, toPanelkitError } from '../../errors.js';
import type { PanelkitError } from '../../errors.js';
import type { ClientSpec, CreatedClient } from '../../ports/panel.js';
import { MAX_ROWS_PER_CALL } from '../../ports/storage.js';
import { addDays } from '../../rules/time.js';
import type { EngineContext } from '../context.js';
import { WORKER_ACTOR, auditSubscription } from '../context.js';
import { specOf, targetRefOf } from '../desired-state.js';
import { outcomeOf } from '../handler.js';
import type { HandlerEnv, JobHandler, JobOutcome, JobRoute } from '../handler.js';
import { JOB_TYPES, ProvisionPayloadSchema, parsePayload, provisionBatchKey } from '../job-types.js';
import { orderMoney } from '../order-money.js';
import { settleOrder } from '../order-status.js';
import { lockStorefrontOfOrder, reverseStorefrontSale } from '../storefront-sale.js';
import { assertPanelUsable } from './panel-guard.js';
import { markProvisioned, markProvisionedTogether } from './provisioned-write.js';
import type { MadeClient } from './provisioned-write.js';

function payloadOf(job: Job) {
  return parsePayload(ProvisionPayloadSchema, job.payload, job.type);
}

/**
 * The pending subscription `route` read for a claimed job, taken by `run` for that same job object
 * instead of reading it again. A stale copy costs nothing: the write after the panel call compares
 * its revision under the row's lock.
 */
const routed = new WeakMap<Job, Subscription>();

/** The subscriptions `prepare` read for a claim's jobs, with their panels, taken by `route`. */
const prepared = new WeakMap<Job, { sub: Subscription; panel: Panel | null }>();

/**
 * The targets `prepare` read for a claim's jobs, taken by `run`. A stale copy is as harmless as the subscription's: a
 * target's panel reference does not change under its clients.
 */
const preparedTargets = new WeakMap<Job, Target>();

/** The subscription of a provisioning job when it still waits for its client, else `null`. */
async function pendingSubscription(ctx: EngineContext, job: Job): Promise<Subscription | null> {
  const sub = await ctx.storage.subscriptions.get(payloadOf(job).subscriptionId);
  return sub !== null && sub.status === 'pending' ? sub : null;
}

/**
 * The spec a new client gets: a period that starts now, unless it waits for first use; a part of a bundle whose
 * sibling is already live ends with it (`bundleExpiry`), so parts provisioned apart (a retried job) stay aligned.
 */
function newClientSpec(sub: Subscription, capabilities: Parameters<typeof specOf>[1], now: Date, siblingExpiry: Date | null): ClientSpec {
  const spec = specOf(sub, capabilities);
  if (sub.expiresAt === null && !sub.startOnFirstUse)
    return { ...spec, expiry: { type: 'at', at: siblingExpiry ?? addDays(now, sub.durationDays) } };
  return spec;
}

/**
 * When a bundle's part (a plan's kinds, a built plan's locations) is provisioned after a sibling went live, the
 * sibling's expiry, else `null`: one read of the order's subscriptions, only for a part of a bundle.
 */
async function bundleExpiry(ctx: EngineContext, sub: Subscription): Promise<Date | null> {
  if (sub.bundleId === null || sub.orderId === null || sub.expiresAt !== null || sub.startOnFirstUse) return null;
  const siblings = await ctx.storage.subscriptions.listByOrder(sub.orderId);
  const live = siblings.find((s) => s.bundleId === sub.bundleId && s.id !== sub.id && s.expiresAt !== null && s.status !== 'failed');
  return live?.expiresAt ?? null;
}

/**
 * Makes a pending subscription's client on its panel (a batch of a target's jobs in one `createClients`),
 * then writes it live with its links; when every attempt failed, `onDead` fails it, frees its slot and refunds.
 */
export const provisionHandler: JobHandler = {
  type: JOB_TYPES.provision,

  /**
   * One read of the claim's subscriptions with their targets and panels (`subscriptions.getManyWithPlaces`): `route`
   * takes the subscription and hands the panel to the worker, `run` takes the target; not a read of each a job.
   */
  async prepare(ctx, jobs): Promise<void> {
    const byId = new Map(jobs.map((job) => [payloadOf(job).subscriptionId, job]));
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += MAX_ROWS_PER_CALL) {
      for (const { subscription, target, panel } of await ctx.storage.subscriptions.getManyWithPlaces(
        ids.slice(i, i + MAX_ROWS_PER_CALL),
      )) {
        const job = byId.get(subscription.id);
        if (job === undefined) continue;
        prepared.set(job, { sub: subscription, panel });
        if (target !== null) preparedTargets.set(job, target);
      }
    }
  },

  async route(ctx, job): Promise<JobRoute | null> {
    const read = prepared.get(job);
    prepared.delete(job);
    const sub = read === undefined ? await pendingSubscription(ctx, job) : read.sub.status === 'pending' ? read.sub : null;
    // Already provisioned, failed, or terminated before its client was made: nothing to do.
    if (sub === null) return null;
    routed.set(job, sub);
    const panel = read?.panel ?? null;
    return { panelId: sub.panelId, batchKey: provisionBatchKey(sub.targetId), ...(panel === null ? {} : { panel }) };
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
    const handle = env.handle?.panel.id === first.sub.panelId ? env.handle : await ctx.panels.get(first.sub.panelId);
    try {
      assertPanelUsable(handle, 'createClients');
      const known = preparedTargets.get(first.claimed.job);
      target = known?.id === first.sub.targetId ? known : await ctx.storage.targets.get(first.sub.targetId);
      if (target === null) throw new NotFoundError('target', first.sub.targetId);
      const now = ctx.clock.now();
      const specs = await Promise.all(
        work.map(async (w) => newClientSpec(w.sub, handle.adapter.capabilities, now, await bundleExpiry(ctx, w.sub))),
      );
      const ref = targetRefOf(target);
      remote = await env.call(handle, `provision:${first.claimed.job.id}`, (c) => handle.adapter.createClients(ref, specs, c), {
        first: true,
        attempt: first.claimed.job.attempts,
      });
    } catch (error) {
      return failAll(error);
    }
    // Each client's links, unless the create gave them (a panel call each), then one storage write for the batch.
    const made: (MadeClient & { claimed: ClaimedJob })[] = [];
    await Promise.all(
      work.map(async (w, i) => {
        const client = remote[i];
        const outcome = await outcomeOf(async () => {
          if (client === undefined) throw new NotFoundError('created client', w.sub.remote.username);
          await env.step('panel_called', w.claimed.job);
          const links = client.links ?? (await env.call(handle, `links:${w.sub.id}`, (c) => handle.adapter.links(client.ref, c)));
          made.push({ ...w, client, links, lease: w.claimed.lease });
        }, toPanelkitError);
        if (!outcome.ok) outcomes.set(w.claimed.job.id, outcome);
      }),
    );
    // One transaction for the batch (and for the batches finishing with it), their jobs completed in it (`completed`:
    // the worker writes nothing more for them); when it fails, each client alone, so one client's failure is its own.
    const together = made.length === 0 ? null : await markProvisionedTogether(ctx, made).catch(() => null);
    await Promise.all(
      made.map(async (m) => {
        let completed = false;
        const outcome = await outcomeOf(async () => {
          completed = (together ?? (await markProvisioned(ctx, [m]))).has(m.claimed.job.id);
          await env.step('storage_written', m.claimed.job);
        }, toPanelkitError);
        outcomes.set(m.claimed.job.id, outcome.ok ? { ok: true, completed } : outcome);
      }),
    );
    return outcomes;
  },

  /**
   * For good: the subscription fails, its slot is released, and what was paid is refunded; a storefront's sale has
   * its split reversed in the share refunded (`reverseStorefrontSale`, keyed by the refund's key: once).
   */
  async onDead(ctx: EngineContext, job: Job, error: PanelkitError): Promise<void> {
    const { subscriptionId, price, round } = payloadOf(job);
    const now = ctx.clock.now();
    const result = await ctx.storage.transaction(async (tx) => {
      const sub = await tx.subscriptions.get(subscriptionId);
      if (sub === null || sub.status !== 'pending') return null;
      // A storefront's sale: its storefront and reseller are locked before the buyer, as a sale and a refund lock them.
      const storefrontSale = price.amount > 0 && sub.orderId !== null ? await lockStorefrontOfOrder(tx, sub.orderId) : null;
      // The refund first: it locks the customer, which comes before the subscription, its slot and
      // its order (the lock order on `StoragePort.transaction`; a checkout takes the customer first).
      let refund = null;
      if (price.amount > 0) {
        const refundKey = `refund:provision:${sub.id}:r${round}`;
        const appended = await tx.ledger.append({
          customerId: sub.customerId,
          kind: 'refund',
          amount: price.amount,
          currency: price.currency,
          idempotencyKey: refundKey,
          orderId: sub.orderId,
          subscriptionId: sub.id,
          note: 'provisioning failed',
          actor: WORKER_ACTOR,
        });
        refund = appended.entry;
        // The split goes back in the share this refund returns, as `kit.refund` reverses it (once per refund key).
        if (storefrontSale !== null && sub.orderId !== null && appended.created) {
          const before = orderMoney((await tx.ledger.listByOrder(sub.orderId)).filter((e) => e.id !== appended.entry.id));
          await reverseStorefrontSale(tx, storefrontSale, {
            amount: price.amount,
            paid: before.paid,
            refundedBefore: before.refunded,
            key: refundKey,
            actor: WORKER_ACTOR,
          });
        }
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
