import type { Subscription } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/**
 * A subscription's place in a family plan: `payer` when it is a group (its plan is shared and it holds no seat in
 * another), `member` while it holds a seat in someone's group, else `null`.
 */
export async function familyPlaceOf(shop: Shop, sub: Pick<Subscription, 'id' | 'planId'>): Promise<'payer' | 'member' | null> {
  const seat = await shop.kit.sharing.membership(sub.id);
  if (seat !== null) return seat.removedAt === null ? 'member' : null;
  const plan = await shop.storage.plans.get(sub.planId);
  return plan?.sharing == null ? null : 'payer';
}
