import { z } from 'zod';
import { ActorSchema, IdSchema, type Actor } from '../domain/common.js';
import type { Subscription } from '../domain/subscription.js';
import { parseInput } from '../domain/validate.js';
import { EligibilityError, NotFoundError } from '../errors.js';
import type { EngineContext } from './context.js';
import { auditSubscription } from './context.js';

/** Input of `kit.setAutoRenew`. */
export interface AutoRenewRequest {
  subscriptionId: string;
  enabled: boolean;
  /** The buyer asking: a subscription of another customer is `NotFoundError`, as if it did not exist. */
  customerId?: string;
  /** Recorded on the audit event; default the buyer (with `customerId`), else an admin. */
  actor?: Actor;
}

const AutoRenewRequestSchema = z.strictObject({
  subscriptionId: IdSchema,
  enabled: z.boolean(),
  customerId: IdSchema.optional(),
  actor: ActorSchema.optional(),
});

/** Statuses whose subscription can still renew: not ended for good, not failed. */
const ENDED = new Set<Subscription['status']>(['terminated', 'failed']);

/**
 * Turns a subscription's auto-renewal on or off, with its audit event (`subscription.auto_renew_on` /
 * `_off`) in one transaction; asking for what is already so changes nothing and writes nothing.
 * Refused with `EligibilityError` when turning it on cannot work: a trial (`trial`), a plan that is not
 * renewable (`not_renewable`), a subscription ended for good (`ended`). Turning it off always works.
 */
export async function setAutoRenew(ctx: EngineContext, input: AutoRenewRequest): Promise<Subscription> {
  const request = parseInput(AutoRenewRequestSchema, input, 'auto-renew');
  const actor =
    request.actor ??
    (request.customerId === undefined ? { type: 'admin' as const, id: null } : { type: 'customer' as const, id: request.customerId });
  return ctx.storage.transaction(async (tx) => {
    const sub = await tx.subscriptions.get(request.subscriptionId);
    if (sub === null || (request.customerId !== undefined && sub.customerId !== request.customerId))
      throw new NotFoundError('subscription', request.subscriptionId);
    if (sub.autoRenew === request.enabled) return sub;
    if (request.enabled) {
      const plan = await tx.plans.get(sub.planId);
      const reason = sub.trial ? 'trial' : ENDED.has(sub.status) ? 'ended' : plan?.renewable !== true ? 'not_renewable' : null;
      if (reason !== null) throw new EligibilityError(`subscription ${sub.id} cannot renew itself: ${reason}`, [reason]);
    }
    const updated = await tx.subscriptions.update(sub.id, { autoRenew: request.enabled }, { expectedRevision: sub.revision });
    await auditSubscription(tx, actor, request.enabled ? 'subscription.auto_renew_on' : 'subscription.auto_renew_off', updated, {});
    return updated;
  });
}
