import { PanelkitError, type Actor, type Panelkit, type SubscriptionAction } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/** What staff may do to one subscription, on the web's subscription page and from the bot's subscription card. */
export type SubscriptionOperation = 'retry' | 'approve' | 'suspend' | 'resume' | 'terminate';

const OPERATIONS: Record<SubscriptionOperation, (kit: Panelkit, action: SubscriptionAction) => Promise<unknown>> = {
  // Charges the customer again what was paid (it was refunded when provisioning failed).
  retry: (kit, a) => kit.retryFailed(a),
  approve: (kit, a) => kit.approveProvisioning(a),
  suspend: (kit, a) => kit.suspend(a),
  resume: (kit, a) => kit.resume(a),
  terminate: (kit, a) => kit.terminate(a),
};

/** Every operation, in the order the web's buttons show them. */
export const SUBSCRIPTION_OPERATIONS = Object.keys(OPERATIONS) as SubscriptionOperation[];

/** Operations that charge, cut off or end something: both channels ask "are you sure?" before them. */
export const CONFIRMED_OPERATIONS: ReadonlySet<SubscriptionOperation> = new Set(['retry', 'suspend', 'terminate']);

/** The longest reason an admin may give (the web's field and the bot's answer alike). */
export const REASON_MAX = 500;

export function isSubscriptionOperation(value: string): value is SubscriptionOperation {
  return Object.hasOwn(OPERATIONS, value);
}

/** Engine refusals an admin can cause, as the shop's typed refusals (the web and the bot each show their own way). */
function refusalOf(error: unknown): ShopError | null {
  if (!PanelkitError.is(error)) return null;
  switch (error.code) {
    case 'INSUFFICIENT_FUNDS':
      return new ShopError('insufficient_funds', 'adminOps.errors.customerFundsShort');
    case 'NOT_FOUND':
      return new ShopError('not_found', 'errors.notFound');
    case 'CAPACITY_EXHAUSTED':
      return new ShopError('conflict', 'errors.soldOut');
    case 'INVALID_TRANSITION':
    case 'CONFLICT':
    case 'NOT_ELIGIBLE':
      return new ShopError('conflict', 'errors.conflict');
    default:
      return null;
  }
}

/**
 * One staff action on a subscription, through the engine, which checks the move against the subscription's
 * current state in one transaction and audits it (actor, reason): a second click, or a second admin, gets
 * `conflict` and nothing happens twice. A reason longer than {@link REASON_MAX} is `invalid_input` and changes nothing.
 */
export async function actOnSubscription(
  shop: Shop,
  input: { operation: SubscriptionOperation; subscriptionId: string; actor: Actor; reason?: string | null },
): Promise<void> {
  const reason = (input.reason ?? '').trim();
  if (reason.length > REASON_MAX)
    throw new ShopError('invalid_input', 'errors.invalidInput', {}, { reason: 'adminOps.errors.reasonTooLong' });
  if ((await shop.storage.subscriptions.get(input.subscriptionId)) === null) throw new ShopError('not_found', 'errors.notFound');
  const action: SubscriptionAction = {
    subscriptionId: input.subscriptionId,
    actor: input.actor,
    ...(reason !== '' ? { reason } : {}),
  };
  try {
    await OPERATIONS[input.operation](shop.kit, action);
  } catch (error) {
    throw refusalOf(error) ?? error;
  }
}
