import type { PaymentProvider } from '@panelkit/sdk';
import { nowPaymentsProvider } from '@panelkit/payment-providers/nowpayments';
import type { SettingsDb } from '../../../db/shop-settings.js';
import { activeGateway } from './gateway-settings.js';

/** The provider id the shop's crypto (NOWPayments) payments are recorded under: stored payments name it. */
export const CRYPTO_PROVIDER = 'crypto';

/**
 * The shop's crypto gateway: NOWPayments from `@panelkit/payment-providers`, under the shop's provider id, with the
 * owner's settings read when needed. Its callbacks come to the shop's `/payments/crypto/ipn`; a buyer who leaves the
 * invoice goes back to the wallet.
 */
export function cryptoGatewayProvider(settings: SettingsDb): PaymentProvider {
  return nowPaymentsProvider({
    id: CRYPTO_PROVIDER,
    api: () => activeGateway(settings),
    ipnCallbackUrl: (back) => new URL('/payments/crypto/ipn', back).toString(),
    cancelUrl: (back) => new URL('/wallet', back).toString(),
  });
}
