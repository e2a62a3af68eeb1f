import type { SignalResult } from '@panelkit/sdk';
import type { Shop } from '../../shop.js';
import { starsCallbackSecret } from './callback-secret.js';
import { STARS_PROVIDER, STARS_SECRET_HEADER } from '@panelkit/payment-providers/stars';

/**
 * A Telegram message about a Stars payment (`successful_payment`, or `refunded_payment`) as the bot received
 * it from Telegram, applied by the SDK: the first delivery of a charge credits the wallet, every later one
 * (a redelivery, another update id with the same charge, another replica) finds it credited; a refund reverses it.
 */
export function settleStarsMessage(shop: Shop, message: unknown): Promise<SignalResult> {
  return shop.kit.payments.handleCallback(STARS_PROVIDER, {
    headers: { [STARS_SECRET_HEADER]: starsCallbackSecret(shop.secret) },
    body: message,
    query: {},
  });
}
