import type { ClaimGiftResult } from '@panelkit/sdk/gifts';
import type { Shop } from '../shop.js';
import { refusingAsShop } from './gift-refusals.js';

/**
 * Claims a gift by its code (as typed) for the buyer: the engine's `kit.gifts.claim`, which marks it claimed and
 * places the buyer's order of the gift's plan with its provisioning job in one transaction, once whatever races
 * it (audited as `gift.claimed`). The giver cannot claim their own gift: a gift is for someone else, and the
 * giver who wants the plan buys it. Refusals are `ShopError`s (`gifts.refused.*`). The one use case behind
 * `POST /gift/:code`, `POST /api/v1/gifts/claim` and the bot's `/start gift_<code>` and `/gift <code>`.
 */
export async function claimGiftFor(shop: Shop, customerId: string, code: string): Promise<ClaimGiftResult> {
  return refusingAsShop(() => shop.kit.gifts.claim({ code, customerId, actor: { type: 'customer', id: customerId } }));
}
