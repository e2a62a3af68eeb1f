import type { SharingMember } from '@panelkit/sdk/sharing';
import { isId } from '../input/ids.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';
import { sharingError } from './sharing-refusal.js';

/**
 * The payer removes a member's subscription from their family plan `groupId` (its links stop at once). A member of
 * another group, or none, is a 404 like another buyer's; `ShopError` when refused. The caller has checked `groupId`
 * is the buyer's. The one use case behind the web's, the API's and the bot's "remove member".
 */
export async function removeMemberFor(
  shop: Shop,
  customerId: string,
  groupId: string,
  memberSubscriptionId: unknown,
): Promise<SharingMember> {
  const membership = isId(memberSubscriptionId) ? await shop.kit.sharing.membership(memberSubscriptionId).catch(() => null) : null;
  if (membership === null || membership.groupId !== groupId) throw new ShopError('not_found', 'errors.notFound');
  try {
    return await shop.kit.sharing.remove({
      customerId,
      subscriptionId: membership.subscriptionId,
      actor: { type: 'customer', id: customerId },
    });
  } catch (error) {
    throw sharingError(error);
  }
}
