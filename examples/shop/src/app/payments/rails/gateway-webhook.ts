import { PaymentProviderUnavailableError, PaymentSignatureError, type SignalResult } from '@panelkit/sdk';
import type { Shop } from '../../shop.js';
import { CRYPTOBOT_PROVIDER, CRYPTOBOT_SIGNATURE_HEADER } from '../cryptobot/provider.js';

/** What a CryptoBot webhook came to: applied (with the SDK's outcome), forged (refused, nothing changed), or to be retried. */
export type WebhookResult = { status: 'applied'; result: SignalResult } | { status: 'forged' } | { status: 'retry' };

/**
 * A Crypto Pay webhook as the shop's route received it: its raw body and signature header. The SDK's CryptoBot
 * provider checks the signature and asks Crypto Pay about the invoice; `kit.payments` credits it at most once.
 */
export async function handleCryptoBotWebhook(shop: Shop, rawBody: string, signature: string | undefined): Promise<WebhookResult> {
  try {
    const result = await shop.kit.payments.handleCallback(CRYPTOBOT_PROVIDER, {
      headers: { [CRYPTOBOT_SIGNATURE_HEADER]: signature },
      body: rawBody,
      query: {},
    });
    return { status: 'applied', result };
  } catch (error) {
    if (PaymentSignatureError.is(error)) return { status: 'forged' };
    if (!PaymentProviderUnavailableError.is(error)) throw error;
    shop.logger.warn({ err: error }, 'a CryptoBot webhook could not be checked with Crypto Pay yet');
    return { status: 'retry' };
  }
}
