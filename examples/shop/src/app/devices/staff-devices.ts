import type { Actor, Device, Subscription } from '@panelkit/sdk';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { REASON_MAX } from '../subscriptions/admin-actions.js';
import { devicesOf, type SubscriptionDevices } from './subscription-devices.js';

/**
 * "Devices of a buyer": each of the customer's subscriptions (as the customer overview lists them) with its devices
 * and limit, for the web's customer page and the bot's customer card.
 */
export async function customerDevices(shop: Shop, subscriptions: readonly Subscription[]): Promise<SubscriptionDevices[]> {
  return Promise.all(subscriptions.map((sub) => devicesOf(shop, sub)));
}

/** What staff give to reset a subscription's devices. */
export interface DeviceResetRequest {
  /** The customer whose page or card the reset was asked from: the subscription must be theirs. */
  customerId: string;
  subscriptionId: string;
  actor: Actor;
  /** Why (required, at most {@link REASON_MAX} characters): it goes into the audit log with the reset. */
  reason: string;
}

/**
 * Staff free every device slot of one of a customer's subscriptions (`kit.devices.reset`, audited as
 * `device.reset` with the actor, the reason and how many were removed, in one transaction). A missing or too long
 * reason is `invalid_input`, a subscription that is not the customer's `not_found`, and nothing changes either way.
 * Resetting a subscription without devices removes nothing and is still audited. Returns the devices removed.
 */
export async function resetDevicesAsStaff(shop: Shop, request: DeviceResetRequest): Promise<Device[]> {
  const reason = request.reason.trim();
  // The message names the field's problem: the web's error page and the bot show it as it is.
  if (reason === '') throw new ShopError('invalid_input', 'devices.errors.reasonRequired', {}, { reason: 'devices.errors.reasonRequired' });
  if (reason.length > REASON_MAX)
    throw new ShopError('invalid_input', 'adminOps.errors.reasonTooLong', {}, { reason: 'adminOps.errors.reasonTooLong' });
  const sub = await shop.storage.subscriptions.get(request.subscriptionId);
  if (sub === null || sub.customerId !== request.customerId) throw new ShopError('not_found', 'errors.notFound');
  return shop.kit.devices.reset(sub.id, request.actor, reason);
}
