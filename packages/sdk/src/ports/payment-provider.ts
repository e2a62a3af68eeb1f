import type { JsonObject } from '../domain/common.js';
import type { Money } from '../domain/money.js';
import type { Payment, PaymentConfirmation } from '../domain/payment.js';
import { PanelkitError, type PanelkitErrorOptions } from '../errors.js';

/**
 * What a provider lets each path do with its payments, declared once and enforced by the engine
 * (`kit.payments`), never by the host's routes.
 */
export interface PaymentProviderCapabilities {
  /**
   * The ways a payment of this provider may be credited. A card-to-card provider: `admin_approval`. A
   * gateway: `gateway`, and `admin_mark_paid` when an admin may override it explicitly. A test
   * provider: `instant`.
   */
  readonly confirmations: readonly PaymentConfirmation[];
  /** Whether an admin may reject a pending payment (a receipt that does not match the bank statement). */
  readonly adminReject: boolean;
  /**
   * The ways to pay the buyer may pick at this provider, in the provider's own words (EPay's `alipay` and
   * `wxpay`, YooKassa's `sbp`). Omitted or empty: the provider takes no choice. `kit.payments.start` refuses a
   * method that is not listed (`ValidationError`) and hands the chosen one to `open`.
   */
  readonly methods?: readonly string[];
}

/** What `open` is told about the payment it opens at the provider. */
export interface PaymentOpenRequest {
  /** The id the payment will be stored under (the gateway's "order id"). */
  paymentId: string;
  customerId: string;
  amount: Money;
  /** Where the gateway sends the buyer back (request/verify gateways), when the host has one. */
  returnUrl: string | null;
  /** A line the buyer sees at the gateway. */
  description: string;
  /** The way to pay the buyer picked, one of the provider's `capabilities.methods`; `null` or absent when none was asked. */
  method?: string | null;
}

/** The provider's answer to `open`: its reference for the payment, and where the buyer pays. */
export interface PaymentOpened {
  /** The provider's id for it (an invoice id, an authority): what its callbacks name. */
  externalRef: string;
  /** The page the buyer pays on, if any. */
  redirectUrl: string | null;
  /** Anything the provider wants kept beside the payment (shown to admins, never secrets). */
  details?: JsonObject;
}

/** A provider's callback as the host's web route received it. */
export interface PaymentCallback {
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The parsed body (JSON or form). */
  body: unknown;
  /** The query string's values. */
  query: Readonly<Record<string, string | undefined>>;
}

/**
 * What the provider's world says happened to one payment, named by the provider's reference:
 * `paid` (in full; `amount` is what was paid when the provider says), `failed`, `expired`, `refunded`
 * or `charged_back` (after it was paid), or `waiting` (nothing final yet).
 */
export interface PaymentSignal {
  externalRef: string;
  kind: 'paid' | 'failed' | 'expired' | 'refunded' | 'charged_back' | 'waiting';
  /** What the provider says was paid, when it says. */
  amount?: Money | null;
  /**
   * The provider's id of this particular payment, when one intent may be paid more than once (a buyer
   * who paid an invoice twice): a second one is credited as a payment of its own, never lost or doubled.
   */
  settlementRef?: string;
  /** The provider's own status word, for the audit log and admins. */
  providerStatus?: string;
}

/**
 * A way to pay into the wallet, as the engine sees it: the provider translates its world (an
 * invoice, a signed callback, a verify call) into signals on one payment, and the engine alone
 * credits (`kit.payments`). Every provider passes `describePaymentProvider` from
 * `@panelkit/sdk/testing`.
 */
export interface PaymentProvider {
  /** Stored on each payment and used in URLs: `[a-z0-9_-]`, at most 40 characters. */
  readonly id: string;
  readonly capabilities: PaymentProviderCapabilities;
  /** How long a pending payment waits before the expiry sweep ends it (`null`: it never expires). */
  readonly pendingTtlMs: number | null;
  /** How many pending payments of this provider one buyer may have at once (`null`: no limit). */
  readonly maxPending: number | null;
  /**
   * Opens the payment at the provider before it is stored (gateways): an invoice, a payment request.
   * Throws `PaymentProviderUnavailableError` when the provider cannot be reached or refuses: then the
   * engine stores nothing. Providers without it (card receipts, the test provider) take the buyer's
   * reference as the payment's.
   */
  open?(request: PaymentOpenRequest): Promise<PaymentOpened>;
  /**
   * Authenticates a callback (a signature, a shared secret) and translates it into one signal, or
   * throws `PaymentSignatureError` when it is not the provider's. A replayed callback gives the same signal.
   */
  parseCallback?(callback: PaymentCallback): Promise<PaymentSignal>;
  /**
   * Request/verify gateways: asks the provider what became of the payment (after the buyer's return
   * with `returned`, or from a sweep). Throws `PaymentProviderUnavailableError` when it cannot tell.
   */
  verify?(payment: Payment, returned: Readonly<Record<string, string | undefined>>): Promise<PaymentSignal>;
}

/** The provider could not be reached or refused the request; nothing was stored. Retryable. */
export class PaymentProviderUnavailableError extends PanelkitError {
  static override readonly errorName: string = 'PaymentProviderUnavailableError';
  constructor(
    readonly providerId: string,
    message: string,
    options: PanelkitErrorOptions = {},
  ) {
    super('PAYMENT_PROVIDER_UNAVAILABLE', message, { retryable: true, ...options, details: { providerId, ...options.details } });
  }
}

/** A callback that is not the provider's (bad or missing signature, unknown shape); nothing was changed. */
export class PaymentSignatureError extends PanelkitError {
  static override readonly errorName: string = 'PaymentSignatureError';
  constructor(
    readonly providerId: string,
    message: string,
    options: PanelkitErrorOptions = {},
  ) {
    super('PAYMENT_SIGNATURE_INVALID', message, { ...options, details: { providerId, ...options.details } });
  }
}
