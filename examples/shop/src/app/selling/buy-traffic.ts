import type { BuyTrafficResult } from '@panelkit/sdk';
import type { Shop } from '../shop.js';
import type { Refusal } from '../subscriptions/refusals.js';
import { sellingRefusal } from './refusals.js';

/** What buying extra traffic came to, for every channel alike: the engine's result, or its refusal (nothing charged). */
export type TrafficPurchase = { ok: true; result: BuyTrafficResult } | { ok: false; refusal: Refusal };

/**
 * A buyer pays for extra traffic on one of their subscriptions (the caller checked it is theirs): the one
 * use case the web page, the JSON API and the bot call. A retried request with the same `idempotencyKey`
 * charges once; a refusal the buyer can act on comes back as a `Refusal`, anything else is thrown.
 */
export async function buyTrafficFor(
  shop: Shop,
  customerId: string,
  subscriptionId: string,
  request: { gib: number; idempotencyKey: string; discountCode?: string | undefined },
): Promise<TrafficPurchase> {
  try {
    const result = await shop.kit.buyTraffic({
      subscriptionId,
      gib: request.gib,
      idempotencyKey: request.idempotencyKey,
      ...(request.discountCode === undefined || request.discountCode === '' ? {} : { discountCode: request.discountCode }),
      actor: { type: 'customer', id: customerId },
    });
    return { ok: true, result };
  } catch (error) {
    const refusal = sellingRefusal('traffic', error);
    if (refusal === null) throw error;
    return { ok: false, refusal };
  }
}
