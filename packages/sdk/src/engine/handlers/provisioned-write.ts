import type { NewAuditEvent } from '../../domain/audit.js';
import type { Lease } from '../../domain/job.js';
import type { Order } from '../../domain/order.js';
import type { Subscription, SubscriptionPatch } from '../../domain/subscription.js';
import { NotFoundError } from '../../errors.js';
import type { RemoteClient } from '../../ports/panel.js';
import type { StorageTransaction } from '../../ports/storage.js';
import { addDays } from '../../rules/time.js';
import type { EngineContext } from '../context.js';
import { WORKER_ACTOR } from '../context.js';
import { JOB_TYPES, jobAttempts, subscriptionJob } from '../job-types.js';
import { settleOrders } from '../order-status.js';
import { writeSerialKey } from '../serial-keys.js';

/** A client's links, as its create gave them or as asked for after. */
export type Links = { subscriptionUrl: string | null; shareLinks: readonly string[] };

/** A pending subscription whose client now exists (made or adopted), with its links. */
export interface MadeClient {
  /** The subscription as read before its client was made. */
  readonly sub: Subscription;
  readonly client: RemoteClient;
  readonly links: Links;
  /** The lease of the job that made it: the job is completed in the transaction that writes the subscription live. */
  readonly lease?: Lease;
}

/** The jobs a write completed (their leases held), by id. */
export type CompletedJobs = ReadonlySet<string>;

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
 * Judges a subscription whose live write (at the revision read before the panel call) found it changed meanwhile:
 * `null` when it is no longer pending (terminated meanwhile: its client's removal queued), else written live at
 * the revision it has now.
 */
async function writeChanged(ctx: EngineContext, tx: StorageTransaction, made: MadeClient, now: Date): Promise<Subscription | null> {
  const { sub, client, links } = made;
  const current = await tx.subscriptions.get(sub.id);
  if (current === null) throw new NotFoundError('subscription', sub.id);
  if (current.status === 'terminated') {
    // Terminated while its client was being made: take the client away again.
    const serialKey = await writeSerialKey(ctx, tx, current);
    await tx.jobs.enqueue(subscriptionJob(JOB_TYPES.remove, sub.id, { subscriptionId: sub.id }, jobAttempts(ctx.policy), serialKey));
    return null;
  }
  if (current.status !== 'pending') return null;
  return tx.subscriptions.update(current.id, provisioned(current, client, links, now), { expectedRevision: current.revision });
}

/**
 * Writes the subscriptions live in one `updateMany` (one round trip, however many), each at the revision read
 * before the panel call, so while nothing changed them since no second read is needed; those changed meanwhile
 * are judged one by one. The live ones come back in the order given.
 */
async function writeLive(ctx: EngineContext, tx: StorageTransaction, made: readonly MadeClient[], now: Date): Promise<Subscription[]> {
  // A subscription made twice (two batches merged) is written once; its second is judged as changed.
  const first = new Map<string, MadeClient>();
  for (const one of made) if (!first.has(one.sub.id)) first.set(one.sub.id, one);
  const once = [...first.values()];
  const results = await tx.subscriptions.updateMany(
    once.map(({ sub, client, links }) => ({ id: sub.id, patch: provisioned(sub, client, links, now), expectedRevision: sub.revision })),
  );
  const written = new Map(once.map((one, i) => [one, results[i] ?? null]));
  const live: Subscription[] = [];
  for (const one of made) {
    const updated = written.get(one) ?? (await writeChanged(ctx, tx, one, now));
    if (updated !== null) live.push(updated);
  }
  return live;
}

/**
 * Writes the live subscriptions of made clients in one transaction: the subscriptions (in one statement, locked in
 * id order), then their orders settled together (in id order), so the port's lock order (a subscription before
 * an order) holds across the whole batch and two batches settling subscriptions of one order wait for
 * each other instead of deadlocking; the batch's audit events (each subscription's, each order's) go in
 * one insert; last, the jobs of the given leases completed in one statement, so a job is done exactly when what it
 * did is written (its serialisation key, a target's, is free for the next batch a round trip sooner). All or
 * nothing: a caller whose batch throws writes each alone. Returns the jobs completed (a lease lost completes nothing).
 */
export async function markProvisioned(ctx: EngineContext, made: readonly MadeClient[]): Promise<CompletedJobs> {
  const now = ctx.clock.now();
  const written = await ctx.storage.transaction(async (tx) => {
    const byId = [...made].sort((a, b) => (a.sub.id < b.sub.id ? -1 : a.sub.id > b.sub.id ? 1 : 0));
    const live = await writeLive(ctx, tx, byId, now);
    const orderIds = [...new Set(live.flatMap((s) => (s.orderId === null ? [] : [s.orderId])))].sort();
    const audit = live.map(
      (s): NewAuditEvent => ({
        actor: WORKER_ACTOR,
        action: 'subscription.provisioned',
        subjectType: 'subscription',
        subjectId: s.id,
        data: { status: s.status },
      }),
    );
    const settled: Order[] = await settleOrders(tx, orderIds, WORKER_ACTOR, audit);
    const leases = made.flatMap((m) => (m.lease === undefined ? [] : [m.lease]));
    const completed = leases.length === 0 ? [] : await tx.jobs.completeMany(leases);
    return { live, settled, completed };
  });
  for (const subscription of written.live) ctx.events.emit('subscription:provisioned', { subscription, actor: WORKER_ACTOR, at: now });
  for (const order of written.settled) if (order.status === 'completed') ctx.events.emit('order:completed', { order, at: now });
  return new Set(written.completed.map((lease) => lease.jobId));
}

interface WaitingWrite {
  made: readonly MadeClient[];
  resolve: (completed: CompletedJobs) => void;
  reject: (error: unknown) => void;
}

/**
 * `markProvisioned` as group commit: the batches that finish while a write is under way go together in the next
 * transaction (at most `maxBatchSize` clients, unless one batch alone is larger), so jobs of one create an order
 * that settle at once share one transaction, one settle, one audit insert. All or nothing per transaction: when a
 * merged write fails, every batch in it is told so, and writes its clients alone (as a failed batch did before).
 */
class ProvisionedWrites {
  #waiting: WaitingWrite[] = [];
  #writing = false;

  constructor(private readonly ctx: EngineContext) {}

  write(made: readonly MadeClient[]): Promise<CompletedJobs> {
    return new Promise<CompletedJobs>((resolve, reject) => {
      this.#waiting.push({ made, resolve, reject });
      if (!this.#writing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    // Batches that finished in the same turn of the loop go together (a panel's answers that came in at once).
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#waiting.length > 0) {
      let size = 0;
      let take = 0;
      while (take < this.#waiting.length && (take === 0 || size + this.#waiting[take]!.made.length <= this.ctx.policy.maxBatchSize)) {
        size += this.#waiting[take]!.made.length;
        take++;
      }
      const group = this.#waiting.splice(0, take);
      try {
        const completed = await markProvisioned(
          this.ctx,
          group.flatMap((w) => w.made),
        );
        for (const w of group) w.resolve(completed);
      } catch (error) {
        for (const w of group) w.reject(error);
      }
    }
    this.#writing = false;
  }
}

const writers = new WeakMap<EngineContext, ProvisionedWrites>();

/**
 * Writes `made` live through the engine's group commit (see `ProvisionedWrites`), completing their jobs; throws when
 * its transaction failed. Returns the jobs completed (of the whole transaction's).
 */
export function markProvisionedTogether(ctx: EngineContext, made: readonly MadeClient[]): Promise<CompletedJobs> {
  let writer = writers.get(ctx);
  if (writer === undefined) {
    writer = new ProvisionedWrites(ctx);
    writers.set(ctx, writer);
  }
  return writer.write(made);
}
