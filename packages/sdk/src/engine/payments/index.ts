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
import { PaymentProviderRegistry } from './providers.js';
import type { PaymentResult } from './settle.js';

export type { PaymentOutcome, PaymentResult } from './settle.js';
export { PaymentActionSchema, StartPaymentSchema } from './paths.js';
export type { PaymentAction, SignalResult, StartPaymentRequest, StartPaymentResult } from './paths.js';
export { PaymentProviderRegistry } from './providers.js';

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
}

/**
 * The `kit.payments` namespace over `providers` (built by `createPanelkit`).
 *
 * @internal
 */
export function createPayments(ctx: EngineContext, providers: readonly PaymentProvider[]): PanelkitPayments {
  const registry = new PaymentProviderRegistry(providers);
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
  };
}
export { cardToCardProvider, testPaymentProvider, type CardToCardOptions } from './builtin-providers.js';
