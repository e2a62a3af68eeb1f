import type { Subscription } from '@panelkit/sdk';
import { z } from 'zod';
import type { Shop } from '../shop.js';

/** A buyer's name for their subscription as typed in any channel: 1–64 characters after trimming, no control characters. */
export const SubscriptionLabelField = z
  .string({ message: 'forms.invalid' })
  .trim()
  .min(1, { message: 'forms.required' })
  .max(64, { message: 'forms.invalid' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .regex(/^[^\u0000-\u001f\u007f]+$/, { message: 'forms.invalid' });

/**
 * Names (or, with `null`, un-names) the buyer's own subscription, so a buyer with several tells them apart; audited
 * by the engine. The caller has checked the subscription is the buyer's.
 */
export function nameSubscriptionFor(shop: Shop, customerId: string, subscriptionId: string, label: string | null): Promise<Subscription> {
  return shop.kit.sharing.name({ customerId, subscriptionId, label, actor: { type: 'customer', id: customerId } });
}
