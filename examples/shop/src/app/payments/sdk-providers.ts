import { cardToCardProvider, testPaymentProvider, type PaymentProvider } from '@panelkit/sdk';
import type { SettingsDb } from '../../db/shop-settings.js';
import { MAX_PENDING_RECEIPTS } from './card-provider.js';
import { cryptoGatewayProvider } from './crypto/provider.js';

/**
 * The SDK payment providers this shop registers with its kit: card-to-card receipts (reviewed by an
 * admin), the crypto gateway (confirmed by its signed callbacks, or an admin's explicit mark-paid) and
 * the test provider (credits at once; the wallet offers it only with TEST_PAYMENTS on). Whether buyers
 * may use one now is the wallet form's business (`registry.ts`); a registered provider still takes
 * callbacks and admin decisions for the payments it already has.
 */
export function shopPaymentProviders(settings: SettingsDb): PaymentProvider[] {
  return [cardToCardProvider({ maxPending: MAX_PENDING_RECEIPTS }), cryptoGatewayProvider(settings), testPaymentProvider()];
}
