import type { SharingMember } from '@panelkit/sdk/sharing';
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
