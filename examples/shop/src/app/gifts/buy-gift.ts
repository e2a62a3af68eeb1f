import type { BuyGiftResult } from '@panelkit/sdk/gifts';
import type { Shop } from '../shop.js';
import { readGiftSettings } from './gift-settings.js';
import { refusingAsShop } from './gift-refusals.js';

/** A gift purchase as a buyer asks for it in any channel: the plan, and the key that makes a resend buy once. */
export interface GiftPurchaseRequest {
  planId: string;
  idempotencyKey: string;
}

/**
 * Buys a plan as a gift from the buyer's wallet, valid for the owner's gift period (`readGiftSettings`): the
 * engine's `kit.gifts.buy` (one debit, once per key; audited as `gift.bought`). Refusals are `ShopError`s
 * (`insufficient_funds`, `gifts.refused.*`). The one use case behind `POST /gifts`, `POST /api/v1/gifts` and the
 * bot's gift buttons.
 */
export async function buyGiftFor(shop: Shop, customerId: string, request: GiftPurchaseRequest): Promise<BuyGiftResult> {
  const { validDays } = await readGiftSettings(shop);
  return refusingAsShop(() =>
    shop.kit.gifts.buy({
      customerId,
      planId: request.planId,
      validDays,
      idempotencyKey: request.idempotencyKey,
      actor: { type: 'customer', id: customerId },
    }),
  );
}
