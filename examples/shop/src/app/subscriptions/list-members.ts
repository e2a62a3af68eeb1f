import type { SharingMember } from '@panelkit/sdk/sharing';
import type { Shop } from '../shop.js';
import { sharingError } from './sharing-refusal.js';

/** The current members of the buyer's family plan. `ShopError` (404) for a subscription that is not the buyer's. */
export async function membersOf(shop: Shop, customerId: string, groupId: string): Promise<SharingMember[]> {
  try {
    return await shop.kit.sharing.members(customerId, groupId);
  } catch (error) {
    throw sharingError(error);
  }
}
