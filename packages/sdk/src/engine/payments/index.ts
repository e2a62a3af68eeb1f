import type { Page, PageRequest } from '../../domain/common.js';
import type { Payment } from '../../domain/payment.js';
import type { PaymentCallback, PaymentProvider, PaymentSignal } from '../../ports/payment-provider.js';
import type { PaymentFilter } from '../../ports/storage-payments.js';
import type { EngineContext } from '../context.js';
import {
  applySignal,
  approvePayment,
  cancelPayment,
  expireDuePayments,
  handleCallback,
  markPaymentPaid,
  rejectPayment,
  startPayment,
  verifyPayment,
  type PaymentAction,
  type SignalResult,
  type StartPaymentRequest,
  type StartPaymentResult,
} from './paths.js';
import type { PaymentProviderRegistry } from './providers.js';
import { requestRefund, type RefundPaymentRequest, type RefundPaymentResult } from './refunds.js';
import {
  allowSavedMethodForRenewal,
  listSavedMethods,
  removeSavedMethod,
  startSavedMethodCharge,
  type ChargeSavedMethodRequest,
} from './saved-methods.js';
import type { PaymentResult } from './settle.js';
import { refundsOf, type PaymentRefundRecord } from '../../domain/payment-refund.js';
import type { SavedPaymentMethodView } from '../../domain/payment-method.js';

export type { PaymentOutcome, PaymentResult } from './settle.js';
export { PaymentActionSchema, StartPaymentSchema } from './paths.js';
export type { PaymentAction, SignalResult, StartPaymentRequest, StartPaymentResult } from './paths.js';
export { PaymentProviderRegistry } from './providers.js';
export { RefundPaymentSchema } from './refunds.js';
export type { RefundPaymentRequest, RefundPaymentResult } from './refunds.js';
export { ChargeSavedMethodSchema } from './saved-methods.js';
export type { ChargeSavedMethodRequest } from './saved-methods.js';
export { paymentJobHandlers } from './payment-jobs.js';
export { startSavedMethodCharge } from './saved-methods.js';

/**
 * Payments into the wallet (`kit.payments`): one intent per payment, providers that translate their
 * world into signals on it, and one place that credits (at most once, whatever confirms it, on any
 * replica). Which path may confirm is each provider's declared capability. See `docs/guides/payments.md`.
 */
export interface PanelkitPayments {
  /** The providers this kit was given, in order. */
  providers(): PaymentProvider[];
  /** A buyer starts a payment (see `startPayment`). */
  start(request: StartPaymentRequest): Promise<StartPaymentResult>;
  /** A provider's callback, verified by the provider and applied. `PaymentSignatureError` when it is not the provider's. */
  handleCallback(providerId: string, callback: PaymentCallback): Promise<SignalResult>;
  /** What a provider's world says, already authenticated by the host (e.g. a gateway's own answer it fetched). */
  applySignal(providerId: string, signal: PaymentSignal): Promise<SignalResult>;
  /** Asks a request/verify gateway about one payment (the buyer came back with `returned`). */
  verify(paymentId: string, returned: Readonly<Record<string, string | undefined>>): Promise<SignalResult>;
  /** An admin approves a receipt (providers with `admin_approval`). */
  approve(action: PaymentAction): Promise<PaymentResult>;
  /** An admin explicitly marks a gateway's payment paid (providers with `admin_mark_paid`). */
  markPaid(action: PaymentAction): Promise<PaymentResult>;
  /** An admin rejects a pending payment (providers with `adminReject`). */
  reject(action: PaymentAction): Promise<PaymentResult>;
  /** The buyer cancels their own pending payment. */
  cancel(request: { paymentId: string; customerId: string }): Promise<PaymentResult>;
  /** Expires pending payments whose time ran out; the scheduler runs it too. Returns how many. */
  expireDue(options?: { limit?: number }): Promise<number>;
  /** The payment, or `null`. */
  get(id: string): Promise<Payment | null>;
  /** Newest first. */
  list(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>>;
  /** How many pending payments the buyer has with the provider. */
  countPending(customerId: string, providerId: string): Promise<number>;
  /** Carries over a payment recorded elsewhere, as it is (once per id); see `PaymentRepository.import`. */
  import(payment: Payment): Promise<boolean>;
  /**
   * Gives (part of) a credited payment back at its provider (providers declaring `refunds`): recorded and
   * queued as a job in one transaction; the job asks the provider once per refund (its id is the provider's
   * idempotency key), is retried through the provider's outage, and writes the ledger reversal once. See
   * `requestRefund` for the refusals.
   */
  refund(request: RefundPaymentRequest): Promise<RefundPaymentResult>;
  /** The refunds asked for on a payment, by id (`details.refunds`). */
  refundsOf(payment: Payment): Record<string, PaymentRefundRecord>;
  /** The customer's saved payment methods (never their references). */
  savedMethods(customerId: string): Promise<SavedPaymentMethodView[]>;
  /** The buyer forgets one of their saved methods (`NotFoundError` for another buyer's). */
  removeSavedMethod(request: { customerId: string; methodId: string }): Promise<void>;
  /** The buyer lets a saved method pay auto-renewals when the wallet is short, or stops it. */
  allowSavedMethodForRenewal(request: { customerId: string; methodId: string; allowed: boolean }): Promise<SavedPaymentMethodView>;
  /**
   * Charges a saved method off-session: a pending payment keyed by `key` (the same key is the same payment)
   * and its job, which charges the provider once and credits the payment when paid.
   */
  chargeSavedMethod(request: ChargeSavedMethodRequest): Promise<{ payment: Payment; replayed: boolean }>;
}

/**
 * The `kit.payments` namespace over `providers` (built by `createPanelkit`).
 *
 * @internal
 */
export function createPayments(ctx: EngineContext, registry: PaymentProviderRegistry): PanelkitPayments {
  return {
    providers: () => registry.list(),
    start: (request) => startPayment(ctx, registry, request),
    handleCallback: (providerId, callback) => handleCallback(ctx, registry, providerId, callback),
    applySignal: (providerId, signal) => applySignal(ctx, registry, providerId, signal),
    verify: (paymentId, returned) => verifyPayment(ctx, registry, paymentId, returned),
    approve: (action) => approvePayment(ctx, registry, action),
    markPaid: (action) => markPaymentPaid(ctx, registry, action),
    reject: (action) => rejectPayment(ctx, registry, action),
    cancel: (request) => cancelPayment(ctx, request),
    expireDue: (options) => expireDuePayments(ctx, options),
    get: (id) => ctx.storage.payments.get(id),
    list: (filter, page) => ctx.storage.payments.list(filter, page),
    countPending: (customerId, providerId) => ctx.storage.payments.countPending(customerId, providerId),
    import: (payment) => ctx.storage.payments.import(payment),
    refund: (request) => requestRefund(ctx, registry, request),
    refundsOf: (payment) => refundsOf(payment),
    savedMethods: (customerId) => listSavedMethods(ctx, customerId),
    removeSavedMethod: (request) => removeSavedMethod(ctx, request),
    allowSavedMethodForRenewal: (request) => allowSavedMethodForRenewal(ctx, request),
    chargeSavedMethod: (request) => startSavedMethodCharge(ctx, registry, request),
  };
}
export { cardToCardProvider, testPaymentProvider, type CardToCardOptions, type TestPaymentOptions } from './builtin-providers.js';
export { TestPaymentWorld, type TestChargeAnswer } from './test-world.js';
