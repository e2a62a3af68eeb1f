import type { Shop } from '../shop.js';
import { sharingError } from './sharing-refusal.js';

/** Invites someone to the buyer's family plan: a single-use, expiring invite token. `ShopError` when refused. */
export async function inviteMemberFor(shop: Shop, customerId: string, groupId: string): Promise<{ token: string; expiresAt: Date }> {
  try {
    const { token, invite } = await shop.kit.sharing.invite({ customerId, groupId, actor: { type: 'customer', id: customerId } });
    return { token, expiresAt: invite.expiresAt };
  } catch (error) {
    throw sharingError(error);
  }
}
