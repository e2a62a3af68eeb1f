import type { ExtendResult } from '@panelkit/sdk';
import type { Shop } from '../shop.js';
import { extensionRefusal, type Refusal } from './refusals.js';

/** What extending came to, for every channel alike: the engine's result, or its refusal (nothing charged). */
export type Extension = { ok: true; result: ExtendResult } | { ok: false; refusal: Refusal };

/**
 * A buyer pays from the wallet for one more period of one of their subscriptions (the caller checked it is
 * theirs): the one use case behind the web page, `POST /api/v1/subscriptions/:id/extension` and the bot's
 * confirm button. The same `idempotencyKey` extends once; a refusal the buyer can act on comes back typed. The
 * extra devices of a device pack fall back to the plan's limit unless `keepExtraDevices` (priced for the new period).
 */
export async function extendFor(
  shop: Shop,
  customerId: string,
  subscriptionId: string,
  request: { idempotencyKey: string; discountCode?: string | undefined; keepExtraDevices?: boolean | undefined },
): Promise<Extension> {
  try {
    const result = await shop.kit.extend({
      subscriptionId,
      idempotencyKey: request.idempotencyKey,
      ...(request.discountCode === undefined || request.discountCode === '' ? {} : { discountCode: request.discountCode }),
      keepExtraDevices: request.keepExtraDevices === true,
      actor: { type: 'customer', id: customerId },
    });
    return { ok: true, result };
  } catch (error) {
    const refusal = extensionRefusal(error);
    if (refusal === null) throw error;
    return { ok: false, refusal };
  }
}
