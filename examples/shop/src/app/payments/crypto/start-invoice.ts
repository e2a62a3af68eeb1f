import { PaymentProviderUnavailableError } from '@panelkit/sdk';
import type { Shop } from '../../shop.js';
import { toShopPayment, type Payment } from '../records.js';
import { CRYPTO_PROVIDER } from './provider.js';

/** What starting a crypto payment came to: the payment with its gateway invoice, or why not. */
export type StartedInvoice =
  | { ok: true; payment: Payment; invoiceUrl: string }
  | { ok: false; reason: 'too_many_pending' | 'key_reused' | 'gateway_unavailable' };

/**
 * Starts a crypto top-up through the SDK: the gateway's invoice is made first and the payment stored
 * only once it exists, so a gateway that is down leaves nothing counted against the buyer. The same
 * `requestKey` again (a double click, a redelivered update) gives the same payment and invoice. `base`
 * is the shop's public address, for the gateway's callbacks and the buyer's way back: to the wallet page
 * (`web`), or to a page that needs no sign-in and points back to the bot (`bot`).
 */
export async function startCryptoInvoice(
  shop: Shop,
  request: { customerId: string; amount: number; requestKey: string; base: string; from: 'web' | 'bot' },
): Promise<StartedInvoice> {
  try {
    const started = await shop.kit.payments.start({
      customerId: request.customerId,
      providerId: CRYPTO_PROVIDER,
      amount: { amount: request.amount, currency: shop.config.currency },
      requestKey: request.requestKey,
      details: { requestKey: request.requestKey },
      returnUrl: `${request.base}/wallet/crypto/{paymentId}/${request.from === 'bot' ? 'back-to-bot' : 'return'}`,
      description: `${shop.config.shopName} wallet top-up`,
    });
    if (!started.ok) return { ok: false, reason: started.reason === 'too_many_pending' ? 'too_many_pending' : 'key_reused' };
    if (started.redirectUrl === null) return { ok: false, reason: 'gateway_unavailable' };
    return { ok: true, payment: toShopPayment(started.payment), invoiceUrl: started.redirectUrl };
  } catch (error) {
    if (!PaymentProviderUnavailableError.is(error)) throw error;
    shop.logger.warn({ err: error, customerId: request.customerId }, 'crypto invoice could not be created');
    return { ok: false, reason: 'gateway_unavailable' };
  }
}
