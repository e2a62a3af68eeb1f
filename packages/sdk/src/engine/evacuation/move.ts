import { z } from 'zod';
import { ActorSchema, IdSchema, TagSchema } from '../../domain/common.js';
import type { Target } from '../../domain/target.js';
import { termsOf } from '../../domain/subscription-terms.js';
import { parseInput } from '../../domain/validate.js';
import { CapacityExhaustedError, EligibilityError, NotFoundError, ValidationError } from '../../errors.js';
import type { EngineContext } from '../context.js';
import { chargeAndQueueUpdate, updateJobId } from '../extension.js';
import type { PlanChangePayload } from '../job-types.js';
import { reserveSlot } from '../placement.js';
import { offeredLocations, targetsIn } from '../plan-locations.js';

/** Validates `kit.moveSubscription`: a subscription, the location to move it to, the client's key. */
export const MoveSubscriptionRequestSchema = z.strictObject({
  subscriptionId: IdSchema,
  /** A location the subscription's plan offers (`kit.planLocations`). */
  location: TagSchema,
  /** The client's key for this move: a second submission with it queues nothing. */
  idempotencyKey: z.string().min(1).max(120),
  actor: ActorSchema.optional(),
});
/** Input of `kit.moveSubscription`. */
export type MoveSubscriptionRequest = z.input<typeof MoveSubscriptionRequestSchema>;

/** What `kit.moveSubscription` queued: the destination, or `replayed` when the key had queued it already. */
export interface MoveSubscriptionResult {
  subscriptionId: string;
  toTargetId: string | null;
  toPanelId: string | null;
  replayed: boolean;
}

/**
 * Moves a live subscription to another location its plan offers, keeping its expiry and the traffic left, as an
 * evacuation does: one durable update job, queued in the transaction that reserves the slot at the destination;
 * the job creates the client there first, records it, then removes the old one, and the source slot is released
 * when the move is recorded. The buyer's link (the shop's, per customer) is unchanged. Audited
 * (`subscription.move_queued`). `ValidationError` for a location the plan does not offer or the one it is in,
 * `EligibilityError` (`not_movable`, `change_in_progress`) for a subscription that is not active or already
 * changing, `CapacityExhaustedError` (`location_full`) when the destination has no room; nothing is written then.
 */
export async function moveSubscription(ctx: EngineContext, input: MoveSubscriptionRequest): Promise<MoveSubscriptionResult> {
  const request = parseInput(MoveSubscriptionRequestSchema, input, 'move subscription request');
  return ctx.storage.transaction(async (tx) => {
    const sub = await tx.subscriptions.get(request.subscriptionId);
    if (sub === null) throw new NotFoundError('subscription', request.subscriptionId);
    const plan = await tx.plans.get(sub.planId);
    const panel = await tx.panels.get(sub.panelId);
    if (plan === null || panel === null) throw new NotFoundError('plan', sub.planId);
    const key = `move:${sub.id}:${request.idempotencyKey}`;
    if ((await tx.jobs.get(updateJobId(key))) !== null)
      return { subscriptionId: sub.id, toTargetId: null, toPanelId: null, replayed: true };
    const [targets, panels] = await Promise.all([tx.targets.list(), tx.panels.list()]);
    if (!offeredLocations(plan, panels).includes(request.location))
      throw new ValidationError(`plan ${plan.id} does not offer ${request.location}`, [{ path: 'location', message: 'not offered' }], {
        details: { reason: 'location_not_offered' },
      });
    if (panel.locationTags.includes(request.location))
      throw new ValidationError(
        `subscription ${sub.id} is in ${request.location} already`,
        [{ path: 'location', message: 'already there' }],
        {
          details: { reason: 'same_location' },
        },
      );
    if (sub.status !== 'active' || sub.expiresAt === null)
      throw new EligibilityError(`subscription ${sub.id} cannot move now`, ['not_movable'], { details: { subscriptionId: sub.id } });
    const destination = new Set(targetsIn(request.location, targets, panels).map((t) => t.id));
    let to: Target | null = null;
    const terms = sub.terms ?? termsOf(plan);
    const result = await chargeAndQueueUpdate(ctx, tx, sub, ctx.panels.handleFor(panel).adapter.capabilities, {
      action: 'change_plan',
      newExpiresAt: sub.expiresAt,
      newTrafficLimitBytes: sub.trafficLimitBytes === null ? null : sub.trafficLimitBytes - (sub.usedBytes ?? 0),
      price: { amount: 0, currency: plan.price.currency },
      ledgerKey: key,
      ledgerKind: 'plan_change',
      actor: request.actor ?? { type: 'customer', id: sub.customerId },
      generation: sub.remote.generation + 1,
      auditAction: 'subscription.move_queued',
      reserve: async (inner) => {
        to = await reserveSlot(inner, plan, sub.kind, (t) => destination.has(t.id)).catch((error: unknown) => {
          if (!CapacityExhaustedError.is(error)) throw error;
          throw new CapacityExhaustedError(`location ${request.location} has no room for plan ${plan.id}`, {
            details: { planId: plan.id, reason: 'location_full', location: request.location },
          });
        });
        const planChange: PlanChangePayload = {
          fromPlanId: plan.id,
          toPlanId: plan.id,
          fromTargetId: sub.targetId,
          toTargetId: to.id,
          toPanelId: to.panelId,
          durationDays: sub.durationDays,
          deviceLimit: sub.deviceLimit,
          credit: { amount: 0, currency: plan.price.currency },
          storefrontCredit: null,
          terms: terms.built === null ? terms : { ...terms, built: { ...terms.built, location: request.location } },
        };
        return { planChange, writesTo: { panelId: to.panelId, targetId: to.id } };
      },
    });
    const target = to as Target | null;
    return { subscriptionId: sub.id, toTargetId: target?.id ?? null, toPanelId: target?.panelId ?? null, replayed: result === null };
  });
}
