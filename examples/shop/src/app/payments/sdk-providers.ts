import { cardToCardProvider, testPaymentProvider, type PaymentProvider } from '@panelkit/sdk';
import type { TelegramConfig } from '../../config/config.js';
import type { SettingsDb } from '../../db/shop-settings.js';
import { telegramApi } from '../telegram-api.js';
import { MAX_PENDING_RECEIPTS } from './card-provider.js';
import { cryptoGatewayProvider } from './crypto/provider.js';
import { starsCallbackSecret } from './stars/callback-secret.js';
import { starsProvider } from './stars/provider.js';
import { cryptoBotProvider } from './cryptobot/provider.js';
import { activeCryptoBot } from './cryptobot/settings.js';
import { zarinpalProvider } from './zarinpal/provider.js';
import { activeZarinpal } from './zarinpal/settings.js';
import { activeStarsRate } from './stars/settings.js';
import { epayProvider } from './epay/provider.js';
import { activeEpay } from './epay/settings.js';
import { yookassaProvider } from '@panelkit/payment-providers/yookassa';
import { activeYooKassa, yookassaReceipts } from './yookassa/settings.js';
import { stripeProvider } from '@panelkit/payment-providers/stripe';
import { activeStripe } from './stripe/settings.js';

/** What the providers need besides the settings: the bot (Stars are paid to it) and the shop's secret. */
export interface ProviderEnv {
  telegram: TelegramConfig | null;
  secret: string;
  /** The shop's public address, for a gateway's way back when a payment names none. */
  callbackBase: string;
  /** Where a buyer's receipts go (YooKassa's 54-FZ receipts): their e-mail or phone, when they have one. */
  contactOf: (customerId: string) => Promise<{ email: string | null; phone: string | null }>;
  /** The Telegram user a customer's Stars came from (their linked account), for refunds. */
  starsPayerOf: (customerId: string) => Promise<number | null>;
}

/**
 * The SDK payment providers this shop registers with its kit: card-to-card receipts (reviewed by an
 * admin), the crypto gateway and CryptoBot (confirmed by their signed callbacks, checked with the gateway, or
 * an admin's explicit mark-paid), Zarinpal (confirmed by its verify call, or an admin's mark-paid), EPay (its
 * MD5-signed notify, or its order query on the buyer's return and from the sweep; or an admin's mark-paid),
 * YooKassa (its notifications, believed only once the payment is read back from its API; refunds and saved
 * methods charged off-session), Stripe (Checkout Sessions, webhooks verified by their Stripe-Signature; refunds and
 * saved methods charged off-session),
 * Telegram Stars (confirmed by Telegram's successful payment, handed on by the bot) and the test provider
 * (credits at once; the wallet offers it only with TEST_PAYMENTS on). Whether buyers may use one now is the
 * wallet's business (`registry.ts`); a registered provider still takes callbacks and admin decisions for the
 * payments it already has.
 */
export function shopPaymentProviders(settings: SettingsDb, env: ProviderEnv): PaymentProvider[] {
  const { telegram } = env;
  const starsApi = telegram === null ? null : telegramApi(telegram);
  return [
    cardToCardProvider({ maxPending: MAX_PENDING_RECEIPTS }),
    cryptoGatewayProvider(settings),
    cryptoBotProvider({ api: () => activeCryptoBot(settings) }),
    zarinpalProvider({ api: () => activeZarinpal(settings), callbackUrl: (id) => `${env.callbackBase}/wallet/pay/zarinpal/${id}/return` }),
    epayProvider({
      api: () => activeEpay(settings),
      notifyUrl: () => `${env.callbackBase}/payments/epay/notify`,
      callbackUrl: (id) => `${env.callbackBase}/wallet/pay/epay/${id}/return`,
    }),
    yookassaProvider({
      api: () => activeYooKassa(settings),
      receipts: () => yookassaReceipts(settings),
      contactOf: env.contactOf,
      callbackUrl: (id) => `${env.callbackBase}/wallet/pay/yookassa/${id}/return`,
    }),
    stripeProvider({ api: () => activeStripe(settings), callbackUrl: (id) => `${env.callbackBase}/wallet/pay/stripe/${id}/return` }),
    starsProvider({
      rate: () => activeStarsRate(settings),
      api: () => starsApi,
      callbackSecret: starsCallbackSecret(env.secret),
      payerOf: env.starsPayerOf,
    }),
    // Refunds and saved "test cards" too, so the demo and the tests walk those paths (no money moves).
    testPaymentProvider({ refunds: true, savedMethods: true }),
  ];
}
