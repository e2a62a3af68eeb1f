import type { Subscription } from '@panelkit/sdk';
import type { Shop } from '../shop.js';

/**
 * Names (or, with `null`, un-names) the buyer's own subscription, so a buyer with several tells them apart; audited
 * by the engine. The caller has checked the subscription is the buyer's.
 */
export function nameSubscriptionFor(shop: Shop, customerId: string, subscriptionId: string, label: string | null): Promise<Subscription> {
  return shop.kit.sharing.name({ customerId, subscriptionId, label, actor: { type: 'customer', id: customerId } });
}
