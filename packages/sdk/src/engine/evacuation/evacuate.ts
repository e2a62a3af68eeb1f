import { z } from 'zod';
import { ActorSchema, IdSchema } from '../../domain/common.js';
import type { Actor } from '../../domain/common.js';
import type { Plan } from '../../domain/plan.js';
import type { Subscription } from '../../domain/subscription.js';
import { termsOf } from '../../domain/subscription-terms.js';
import type { Target } from '../../domain/target.js';
import { parseInput } from '../../domain/validate.js';
import { CapacityExhaustedError, ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { StorageRepositories } from '../../ports/storage.js';
import type { EngineContext } from '../context.js';
import { chargeAndQueueUpdate, updateInFlight, updateJobId } from '../extension.js';
import type { PlanChangePayload } from '../job-types.js';
import { placementOrder, reserveSlot } from '../placement.js';

/** Validates `kit.evacuate`: a panel, or one target of it, to empty. */
export const EvacuationRequestSchema = z.object({
  panelId: IdSchema,
  /** Only this target of the panel; default every target of it. */
  targetId: IdSchema.nullable().default(null),
  /** Says where each subscription would go and what does not fit; writes nothing. */
  dryRun: z.boolean().default(false),
  actor: ActorSchema.default({ type: 'admin', id: null }),
});
/** Input of `kit.evacuate`. */
export type EvacuationRequest = z.input<typeof EvacuationRequestSchema>;

/**
 * What happens to one subscription: `queued` (its move is a durable job now), `would_move` (dry run),
 * `in_progress` (a move or another change of it is already queued: it is left to finish),
 * `no_room` (no other target in the plan's placement has a free slot), `not_movable` (not active with
 * an end: on hold, limited, expired or suspended subscriptions stay until they are renewed or end).
 */
export type EvacuationOutcome = 'queued' | 'would_move' | 'in_progress' | 'no_room' | 'not_movable';

/** One subscription's line of an evacuation report. */
export interface EvacuationItem {
  subscriptionId: string;
  customerId: string;
  status: Subscription['status'];
  fromTargetId: string;
  /** Where it goes (or would go); `null` when it does not move. */
  toTargetId: string | null;
  toPanelId: string | null;
  outcome: EvacuationOutcome;
}

/** What `kit.evacuate` did or, in a dry run, would do. */
export interface EvacuationReport {
  panelId: string;
  targetId: string | null;
  dryRun: boolean;
  items: EvacuationItem[];
  counts: Record<EvacuationOutcome, number>;
}

/** The statuses an evacuation moves: live, with an end, traffic left. */
function movable(sub: Subscription): boolean {
  if (sub.status !== 'active' || sub.expiresAt === null) return false;
  return sub.trafficLimitBytes === null || (sub.usedBytes ?? 0) < sub.trafficLimitBytes;
}

/** The traffic left now: the new client's limit, since it starts with no usage. */
function remainingTraffic(sub: Subscription): number | null {
  return sub.trafficLimitBytes === null ? null : sub.trafficLimitBytes - (sub.usedBytes ?? 0);
}

async function sourceOf(tx: StorageRepositories, panelId: string, targetId: string | null): Promise<Set<string>> {
  if ((await tx.panels.get(panelId)) === null) throw new NotFoundError('panel', panelId);
  const targets = await tx.targets.list({ panelId });
  if (targetId !== null && !targets.some((t) => t.id === targetId)) {
    throw new ValidationError(`target ${targetId} is not on panel ${panelId}`, [{ path: 'targetId', message: 'not on this panel' }]);
  }
  return new Set(targetId === null ? targets.map((t) => t.id) : [targetId]);
}

/** The key of one move: one per subscription and revision, so a rerun never queues a second move of it. */
async function moveKey(tx: StorageRepositories, sub: Subscription): Promise<string | null> {
  for (let round = 0; round < 20; round++) {
    const key = `evacuate:${sub.id}:${sub.revision}${round === 0 ? '' : `:${round}`}`;
    const job = await tx.jobs.get(updateJobId(key));
    if (job === null) return key;
    if (job.state !== 'dead') return null;
  }
  return null;
}

/** Queues one move, in its own transaction: frees the old slot, takes one on the first target in placement order. */
async function queueMove(ctx: EngineContext, sub: Subscription, source: Set<string>, actor: Actor): Promise<EvacuationItem> {
  const base = { subscriptionId: sub.id, customerId: sub.customerId, status: sub.status, fromTargetId: sub.targetId };
  try {
    return await ctx.storage.transaction(async (tx) => {
      const current = await tx.subscriptions.get(sub.id);
      if (current === null || !source.has(current.targetId))
        return { ...base, toTargetId: current?.targetId ?? null, toPanelId: current?.panelId ?? null, outcome: 'in_progress' as const };
      if (!movable(current)) return { ...base, toTargetId: null, toPanelId: null, outcome: 'not_movable' as const };
      const key = await moveKey(tx, current);
      if (key === null || (await updateInFlight(tx, current.id)))
        return { ...base, toTargetId: null, toPanelId: null, outcome: 'in_progress' as const };
      const plan = await tx.plans.get(current.planId);
      const panel = await tx.panels.get(current.panelId);
      if (plan === null || panel === null) throw new NotFoundError('plan', current.planId);
      let to: Target | null = null;
      const capabilities = ctx.panels.handleFor(panel).adapter.capabilities;
      await chargeAndQueueUpdate(ctx, tx, current, capabilities, {
        action: 'change_plan',
        newExpiresAt: current.expiresAt as Date,
        newTrafficLimitBytes: remainingTraffic(current),
        price: { amount: 0, currency: plan.price.currency },
        ledgerKey: key,
        ledgerKind: 'plan_change',
        actor,
        generation: current.remote.generation + 1,
        auditAction: 'subscription.evacuation_queued',
        evacuation: true,
        reserve: async (inner) => {
          await inner.capacity.release({ targetId: current.targetId, planId: current.planId, count: 1 });
          to = await reserveSlot(inner, plan, current.kind, (t) => !source.has(t.id));
          const planChange: PlanChangePayload = {
            fromPlanId: plan.id,
            toPlanId: plan.id,
            fromTargetId: current.targetId,
            toTargetId: to.id,
            toPanelId: to.panelId,
            durationDays: current.durationDays,
            deviceLimit: current.deviceLimit,
            credit: { amount: 0, currency: plan.price.currency },
            storefrontCredit: null,
            terms: current.terms ?? termsOf(plan),
          };
          return { planChange, writesTo: { panelId: to.panelId, targetId: to.id } };
        },
      });
      const target = to as Target | null;
      return { ...base, toTargetId: target?.id ?? null, toPanelId: target?.panelId ?? null, outcome: 'queued' as const };
    });
  } catch (error) {
    if (CapacityExhaustedError.is(error)) return { ...base, toTargetId: null, toPanelId: null, outcome: 'no_room' };
    // Another change (or another evacuation run) queued one for it at the same moment.
    if (ConflictError.is(error)) return { ...base, toTargetId: null, toPanelId: null, outcome: 'in_progress' };
    throw error;
  }
}

/** Where each subscription would go, counting the slots the earlier ones in the run would take. */
function planMoves(
  subs: readonly Subscription[],
  plans: Map<string, Plan>,
  targets: readonly Target[],
  panels: Parameters<typeof placementOrder>[2],
  source: Set<string>,
): Map<string, Target | null> {
  const taken = new Map<string, number>();
  const candidates = targets.filter((t) => !source.has(t.id));
  const out = new Map<string, Target | null>();
  for (const sub of subs) {
    const plan = plans.get(sub.planId);
    const target =
      plan === undefined
        ? undefined
        : placementOrder(plan, candidates, panels, sub.kind).find(
            (t) => t.capacity === null || t.allocated + (taken.get(t.id) ?? 0) < t.capacity,
          );
    if (target !== undefined) taken.set(target.id, (taken.get(target.id) ?? 0) + 1);
    out.set(sub.id, target ?? null);
  }
  return out;
}

/**
 * Moves every live subscription off a panel (or one of its targets) to other targets chosen by each
 * plan's placement rules, one durable update job per subscription: the job creates the client on the
 * new target first (adopting one a lost answer left there), records it, and only then queues the old
 * client's removal, which waits until the old panel answers. The expiry is kept and the new client's
 * limit is the traffic left. Capacity is respected: a subscription with no room is reported
 * `no_room` and stays. Running it again (after a crash, or when room was added) queues only what is
 * not moving yet. The buyer is told by the `subscription.evacuated` audit action, written when the
 * move is recorded. A dry run reports where each would go and writes nothing.
 */
export async function evacuate(ctx: EngineContext, input: EvacuationRequest): Promise<EvacuationReport> {
  const request = parseInput(EvacuationRequestSchema, input, 'evacuation');
  const source = await sourceOf(ctx.storage, request.panelId, request.targetId);
  const subs: Subscription[] = [];
  let cursor: string | null = null;
  do {
    const page = await ctx.storage.subscriptions.listByPanel(
      request.panelId,
      { statuses: ['active', 'on_hold', 'limited', 'expired', 'suspended'] },
      { limit: 500, cursor },
    );
    subs.push(...page.items.filter((s) => source.has(s.targetId)));
    cursor = page.nextCursor;
  } while (cursor !== null);
  const items: EvacuationItem[] = [];
  if (request.dryRun) {
    const [targets, panels, plans] = await Promise.all([ctx.storage.targets.list(), ctx.storage.panels.list(), ctx.storage.plans.list()]);
    const moving = subs.filter(movable);
    const destinations = planMoves(moving, new Map(plans.map((p) => [p.id, p])), targets, panels, source);
    for (const sub of subs) {
      const base = { subscriptionId: sub.id, customerId: sub.customerId, status: sub.status, fromTargetId: sub.targetId };
      const to = destinations.get(sub.id);
      if (to === undefined) items.push({ ...base, toTargetId: null, toPanelId: null, outcome: 'not_movable' });
      else if (await updateInFlight(ctx.storage, sub.id))
        items.push({ ...base, toTargetId: null, toPanelId: null, outcome: 'in_progress' });
      else
        items.push({
          ...base,
          toTargetId: to?.id ?? null,
          toPanelId: to?.panelId ?? null,
          outcome: to === null ? 'no_room' : 'would_move',
        });
    }
  } else {
    for (const sub of subs) items.push(await queueMove(ctx, sub, source, request.actor));
  }
  const counts: Record<EvacuationOutcome, number> = { queued: 0, would_move: 0, in_progress: 0, no_room: 0, not_movable: 0 };
  for (const item of items) counts[item.outcome]++;
  return { panelId: request.panelId, targetId: request.targetId, dryRun: request.dryRun, items, counts };
}

/** How far an evacuation has come: live subscriptions still on the panel (or target), and how many of them are moving now. */
export interface EvacuationProgress {
  /** Active subscriptions whose client is still there. */
  remaining: number;
  /** Of those, the ones whose move (or another change) is queued or running. */
  moving: number;
  /** Subscriptions there that an evacuation does not move (on hold, limited, expired, suspended). */
  staying: number;
}

/** Counts what is left on a panel (or one target) being evacuated; reads only. */
export async function evacuationProgress(ctx: EngineContext, panelId: string, targetId: string | null = null): Promise<EvacuationProgress> {
  const source = await sourceOf(ctx.storage, panelId, targetId);
  const progress: EvacuationProgress = { remaining: 0, moving: 0, staying: 0 };
  let cursor: string | null = null;
  do {
    const page = await ctx.storage.subscriptions.listByPanel(
      panelId,
      { statuses: ['active', 'on_hold', 'limited', 'expired', 'suspended'] },
      { limit: 500, cursor },
    );
    for (const sub of page.items) {
      if (!source.has(sub.targetId)) continue;
      if (!movable(sub)) progress.staying++;
      else {
        progress.remaining++;
        if (await updateInFlight(ctx.storage, sub.id)) progress.moving++;
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return progress;
}
