/**
 * `@panelkit/sdk/payments`: what a payment provider's author needs beyond `PaymentProvider` itself (which the root
 * exports, beside `kit.payments`). The records the port's methods take and return (`PaymentOpenRequest`,
 * `PaymentOpened`, `PaymentCallback`, `PaymentSignal`, the refund and saved-method requests and outcomes), the
 * capabilities a provider declares, the sealing context of a saved method, a payment's refund records as the engine
 * keeps them in its details (`refundsOf`), and the built-in providers' options with the test provider's world
 * (`TestPaymentWorld`: outages, declines and lost answers for tests). The provider errors are exported at the root
 * too, where a host catches them. See docs/guides/payments.md.
 *
 * @module
 */
export { PaymentProviderUnavailableError, PaymentSignatureError } from './ports/payment-provider.js';
/** The payment port's records, as `ports/payment-provider.ts` documents each. */
export type {
  PaymentCallback,
  PaymentOpenRequest,
  PaymentOpened,
  PaymentProvider,
  PaymentProviderCapabilities,
  PaymentRefundOutcome,
  PaymentRefundRequest,
  PaymentSignal,
  SavedMethodChargeOutcome,
  SavedMethodChargeRequest,
  SavedMethodForgetRequest,
  SavedPaymentMethodReport,
} from './ports/payment-provider.js';
export { savedMethodContext } from './engine/payments/saved-methods.js';
export { refundsOf } from './domain/payment-refund.js';
export type { PaymentRefundRecord } from './domain/payment-refund.js';
export { cardToCardProvider, testPaymentProvider } from './engine/payments/builtin-providers.js';
export type { CardToCardOptions, TestPaymentOptions } from './engine/payments/builtin-providers.js';
export { TestPaymentWorld } from './engine/payments/test-world.js';
export type { TestChargeAnswer } from './engine/payments/test-world.js';
