import type { SharingMember } from '@panelkit/sdk/sharing';
import { isId } from '../input/ids.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { sharingError } from './sharing-refusal.js';

/** The payer removes a member's subscription from their family plan (its links stop at once). `ShopError` when refused. */
export async function removeMemberFor(shop: Shop, customerId: string, subscriptionId: string): Promise<SharingMember> {
  try {
    return await shop.kit.sharing.remove({ customerId, subscriptionId, actor: { type: 'customer', id: customerId } });
  } catch (error) {
    throw sharingError(error);
  }
}

/**
 * The payer removes a member of the group `groupId` (the caller has checked the group is the payer's): a member of
 * another group, or no member, is a 404 like another buyer's. The one use case behind the API's, the web's and the
 * bot's "remove member".
 */
export async function removeGroupMemberFor(
  shop: Shop,
  customerId: string,
  groupId: string,
  memberSubscriptionId: unknown,
): Promise<SharingMember> {
  const membership = isId(memberSubscriptionId) ? await shop.kit.sharing.membership(memberSubscriptionId).catch(() => null) : null;
  if (membership === null || membership.groupId !== groupId) throw new ShopError('not_found', 'errors.notFound');
  return removeMemberFor(shop, customerId, memberSubscriptionId as string);
}
