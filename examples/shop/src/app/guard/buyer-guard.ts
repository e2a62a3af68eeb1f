import type { AuditEvent, Subscription } from '@panelkit/sdk';
import type { CustomerKind, NotificationParams } from '../../db/notification-kinds.js';
import type { Shop } from '../shop.js';

/** The guard's audit actions the buyer is told of, each once (one event per step taken), and the notice it sends. */
export const GUARD_NOTICE_KINDS = {
  'guard.warned': 'sharing_warned',
  'guard.limited': 'sharing_limited',
  'guard.suspended': 'sharing_suspended',
} as const satisfies Record<string, CustomerKind>;

/** The guard actions that notify the buyer (see {@link GUARD_NOTICE_KINDS}). */
export const GUARD_NOTIFYING_ACTIONS = Object.keys(GUARD_NOTICE_KINDS) as (keyof typeof GUARD_NOTICE_KINDS)[];

/**
 * The buyer's notice of a guard step on their subscription, in their language when delivered: the SDK writes one
 * `guard.warned` / `guard.limited` / `guard.suspended` event per step across replicas, and the notice's cause is that
 * event, so each step tells the buyer once. `null` for other events.
 */
export function guardNotice(
  event: AuditEvent,
  sub: Subscription,
  facts: NotificationParams,
): { recipient: { kind: 'customer'; customerId: string }; kind: CustomerKind; params: NotificationParams } | null {
  const kind = GUARD_NOTICE_KINDS[event.action as keyof typeof GUARD_NOTICE_KINDS];
  if (kind === undefined) return null;
  return { recipient: { kind: 'customer', customerId: sub.customerId }, kind, params: facts };
}

/**
 * The guard's step in force on a subscription that the buyer's page says (`limit` or `suspend`), or `null`: a case
 * only watching or warned shows nothing there (the warning went out as a notice).
 */
export async function guardStepShown(shop: Pick<Shop, 'storage'>, subscriptionId: string): Promise<'limit' | 'suspend' | null> {
  const [found] = await shop.storage.guard.cases([subscriptionId]);
  return found?.step === 'limit' || found?.step === 'suspend' ? found.step : null;
}
