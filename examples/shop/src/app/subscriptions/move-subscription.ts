import { CapacityExhaustedError, ConflictError, EligibilityError, ValidationError } from '@panelkit/sdk';
import type { MoveSubscriptionResult } from '@panelkit/sdk/plan-builder';
import type { Shop } from '../shop.js';
import type { Refusal } from './refusals.js';
import { builderRefusal } from './builder-refusals.js';

/** What moving came to: the queued move (`replayed` for a key seen before), or why nothing changed. */
export type Move = { ok: true; result: MoveSubscriptionResult } | { ok: false; refusal: Refusal };

/**
 * Moves the buyer's own live subscription to another location its plan offers (the engine's durable move: expiry,
 * traffic left and link kept), once per key. The caller has checked the subscription is the buyer's.
 */
export async function moveSubscriptionFor(
  shop: Shop,
  customerId: string,
  subscriptionId: string,
  request: { location: string; idempotencyKey: string },
): Promise<Move> {
  try {
    const result = await shop.kit.moveSubscription({
      subscriptionId,
      location: request.location,
      idempotencyKey: request.idempotencyKey,
      actor: { type: 'customer', id: customerId },
    });
    return { ok: true, result };
  } catch (error) {
    const refusal = moveRefusal(error);
    if (refusal === null) throw error;
    return { ok: false, refusal };
  }
}

function moveRefusal(error: unknown): Refusal | null {
  const known = builderRefusal(error);
  if (known !== null) return known;
  if (EligibilityError.is(error)) {
    const reason = error.reasons[0] === 'change_in_progress' ? 'change_in_progress' : 'not_movable';
    return { code: 'conflict', key: `builder.reasons.${reason}`, reason };
  }
  if (ConflictError.is(error) && error.details?.['reason'] === 'change_in_progress')
    return { code: 'conflict', key: 'builder.reasons.change_in_progress', reason: 'change_in_progress' };
  if (CapacityExhaustedError.is(error)) return { code: 'conflict', key: 'builder.reasons.location_full', reason: 'location_full' };
  if (ValidationError.is(error)) return { code: 'invalid_input', key: 'forms.invalid', reason: 'invalid', field: 'location' };
  return null;
}
