import type { AcceptInviteResult } from '@panelkit/sdk/sharing';
import type { Shop } from '../shop.js';
import { sharingError } from './sharing-refusal.js';

/** The signed-in buyer takes a seat on a family plan with an invite token: their own subscription. `ShopError` when refused. */
export async function acceptInviteFor(shop: Shop, customerId: string, token: string): Promise<AcceptInviteResult> {
  try {
    return await shop.kit.sharing.accept({ token, customerId, actor: { type: 'customer', id: customerId } });
  } catch (error) {
    throw sharingError(error);
  }
}
