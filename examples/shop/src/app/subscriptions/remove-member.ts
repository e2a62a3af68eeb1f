import type { SharingMember } from '@panelkit/sdk/sharing';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { sharingError } from './sharing-refusal.js';

/**
 * The payer removes a member's subscription from their family plan `groupId` (its links stop at once). A member of
 * another group, or none, is a 404 like another buyer's; `ShopError` when refused. The caller has checked `groupId`
 * is the buyer's.
 */
export async function removeMemberFor(
  shop: Shop,
  customerId: string,
  groupId: string,
  memberSubscriptionId: string,
): Promise<SharingMember> {
  const membership = await shop.kit.sharing.membership(memberSubscriptionId).catch(() => null);
  if (membership === null || membership.groupId !== groupId) throw new ShopError('not_found', 'errors.notFound');
  try {
    return await shop.kit.sharing.remove({ customerId, subscriptionId: memberSubscriptionId, actor: { type: 'customer', id: customerId } });
  } catch (error) {
    throw sharingError(error);
  }
}
