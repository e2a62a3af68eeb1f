import { z } from 'zod';
import { InvalidTransitionError } from '../errors.js';

/** Every status of a subscription; see `SUBSCRIPTION_TRANSITIONS` for the legal moves. */
export const SUBSCRIPTION_STATUSES = [
  'pending', //    paid, waiting for its client to be created on the panel
  'active', //     usable
  'on_hold', //    created, waiting for first use to start its period
  'limited', //    traffic exhausted; time may remain
  'expired', //    time ran out
  'suspended', //  disabled by an admin or a rule; resumes into whatever state time and usage imply
  'terminated', // removed from the panel; final
  'failed', //     provisioning failed permanently; capacity released and money refunded
] as const;
/** Validates a {@link SubscriptionStatus}. */
export const SubscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES);
/** One of {@link SUBSCRIPTION_STATUSES}. */
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

/** Every legal move. Anything not listed is an {@link InvalidTransitionError}. */
export const SUBSCRIPTION_TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly SubscriptionStatus[]>> = Object.freeze({
  pending: ['active', 'on_hold', 'failed', 'terminated'],
  active: ['limited', 'expired', 'suspended', 'terminated'],
  on_hold: ['active', 'expired', 'suspended', 'terminated'],
  limited: ['active', 'expired', 'suspended', 'terminated'],
  expired: ['active', 'suspended', 'terminated'],
  suspended: ['active', 'on_hold', 'limited', 'expired', 'terminated'],
  failed: ['pending', 'terminated'],
  terminated: [],
});

/** States in which the subscription holds a capacity slot on its target and plan. */
export const HOLDS_CAPACITY: ReadonlySet<SubscriptionStatus> = new Set(['pending', 'active', 'on_hold', 'limited', 'expired', 'suspended']);

/** States in which a client is expected to exist on the panel. */
export const HAS_REMOTE_CLIENT: ReadonlySet<SubscriptionStatus> = new Set(['active', 'on_hold', 'limited', 'expired', 'suspended']);

/** Whether `from → to` is a legal move (see `SUBSCRIPTION_TRANSITIONS`). */
export function canTransition(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  return SUBSCRIPTION_TRANSITIONS[from].includes(to);
}

/** Throws `InvalidTransitionError` unless `from → to` is a legal move. */
export function assertTransition(from: SubscriptionStatus, to: SubscriptionStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}
