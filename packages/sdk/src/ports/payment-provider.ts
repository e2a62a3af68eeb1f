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
  /**
   * Refunds at the provider (`refund`): `{ partial: true }` when a part of a payment may be given back,
   * `{ partial: false }` when only whole payments. Absent: the provider cannot refund; an owner who gave
   * money back outside records it in the ledger only. The engine runs every refund as a durable job
   * (`kit.payments.refund`) and writes its ledger reversal once.
   */
  readonly refunds?: { readonly partial: boolean };
  /**
   * Saved methods with off-session charges: a payment opened with `saveMethod` may leave a method the
   * provider can charge again without the buyer (`SavedPaymentMethodReport` on its `paid` signal, or on
   * `PaymentOpened` for an instant provider), and `chargeSavedMethod` charges it. The engine keeps the
   * reference sealed per customer and makes each charge once, under one idempotency key.
   */
  readonly savedMethods?: boolean;
}

/**
 * A method the provider saved for later charges, as it reports it once the payment that saved it is paid.
 * The engine seals `ref` at rest (the kit's `payments.secrets`) and shows only `label`.
 */
export interface SavedPaymentMethodReport {
  /** What the provider charges it by (a `payment_method_id`, a card token). A secret: never shown, never logged. */
  ref: string;
  /** What the buyer recognises it by, without secrets: `Visa •••• 4242`, `SBP · Sberbank`. At most 100 characters. */
  label: string;
}

/** What `open` is told about the payment it opens at the provider. */
export interface PaymentOpenRequest {
  /**
   * The id the payment will be stored under (the gateway's "order id"). It stands for the buyer's action: a
   * retry after a lost answer, or the same form reaching two replicas, opens the payment again under the same
   * id. Send it as the gateway's idempotency key where its API takes one (YooKassa's `Idempotence-Key`,
   * Stripe's `Idempotency-Key`), with a request that is the same each time, so the gateway answers with the
   * payment it made the first time rather than making a second.
   */
  paymentId: string;
  customerId: string;
  amount: Money;
  /** Where the gateway sends the buyer back (request/verify gateways), when the host has one. */
  returnUrl: string | null;
  /** A line the buyer sees at the gateway. */
  description: string;
  /** The way to pay the buyer picked, one of the provider's `capabilities.methods`; `null` or absent when none was asked. */
  method?: string | null;
  /**
   * The buyer asked to keep the method for later charges (set only for providers declaring
   * `savedMethods`): the provider asks its gateway to save it and reports it when the payment is paid.
   */
  saveMethod?: boolean;
}

/** The provider's answer to `open`: its reference for the payment, and where the buyer pays. */
export interface PaymentOpened {
  /** The provider's id for it (an invoice id, an authority): what its callbacks name. */
  externalRef: string;
  /** The page the buyer pays on, if any. */
  redirectUrl: string | null;
  /** Anything the provider wants kept beside the payment (shown to admins, never secrets). */
  details?: JsonObject;
  /** An instant provider's method saved with the payment (`saveMethod`); gateways report it on the `paid` signal. */
  savedMethod?: SavedPaymentMethodReport;
}

/** A provider's callback as the host's web route received it. */
export interface PaymentCallback {
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The parsed body (JSON or form), or the raw text for a host that does not parse it. */
  body: unknown;
  /**
   * The body exactly as it arrived, before any parsing: the bytes (or their UTF-8 text) a signature is computed over.
   * Stripe's `Stripe-Signature` and CryptoBot's signature cover these bytes, and re-serialising a parsed body does not
   * give them back, so a host keeps the raw body on its webhook routes (Express: `express.raw()`; Fastify: a raw
   * content-type parser; Hono: `await c.req.text()`) and passes it here. Providers that need it refuse a callback
   * without it (`PaymentSignatureError`).
   */
  rawBody?: string | Uint8Array;
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
  /**
   * On `paid`: the method the gateway saved with this payment, when it was opened with `saveMethod`.
   * The engine keeps it (sealed) for the payment's customer.
   */
  savedMethod?: SavedPaymentMethodReport;
  /**
   * On `refunded`: the `idempotencyKey` of the engine's refund this reports, when the provider can tell
   * (it echoes its metadata). The engine then settles that refund (once, as its job would) instead of
   * reversing the whole payment. A refund signal without it on a payment with engine refunds is left to
   * their jobs.
   */
  refundKey?: string;
}

/** What `refund` is asked: give back `amount` of one credited payment. */
export interface PaymentRefundRequest {
  /** The engine's id of this refund (`ref_…`); the same on every retry. */
  refundId: string;
  /**
   * Send it as the provider's idempotency key (YooKassa's `Idempotence-Key`, Stripe's `Idempotency-Key`,
   * or kept in the refund's metadata and looked up): asked again with it, the provider answers about the
   * same refund and never makes a second one.
   */
  idempotencyKey: string;
  /**
   * The provider's reference of this refund from an earlier call that answered `pending`, when there was one:
   * ask about that refund rather than sending it again.
   */
  refundRef?: string | null;
  /** The credited payment, as stored (its `externalRef` and `details` name it at the provider). */
  payment: Payment;
  /** The payment's currency; the whole payment or, with `refunds.partial`, a part not yet refunded. */
  amount: Money;
  /** The owner's reason, when given (for the provider's records). */
  reason: string | null;
}

/**
 * The provider's answer about one refund. `succeeded`: the money went back (the engine writes the ledger
 * reversal). `pending`: the provider took it and finishes later; the engine asks again with the same key
 * (after `retryAfterMs` when given). `failed`: refused for good (nothing was refunded); `reason` is shown
 * to the owner.
 */
export type PaymentRefundOutcome =
  | { status: 'succeeded'; refundRef: string }
  | { status: 'pending'; refundRef: string; retryAfterMs?: number }
  | { status: 'failed'; refundRef: string | null; reason: string };

/** What `chargeSavedMethod` is asked: charge a saved method without the buyer (off-session). */
export interface SavedMethodChargeRequest {
  /** The engine's payment this charge is (stored `pending` before the call; the gateway's "order id"). */
  paymentId: string;
  /**
   * Send it as the provider's idempotency key: a retried charge (a lost answer, another replica, another
   * tick) is the same charge at the provider, never a second one. Stable per cause (e.g. per renewal).
   */
  idempotencyKey: string;
  customerId: string;
  /** The saved method's `ref`, opened from its sealed form. */
  methodRef: string;
  amount: Money;
  /** A line the buyer sees on their statement. */
  description: string;
}

/**
 * What `forgetSavedMethod` is asked: make the gateway forget a method the buyer removed, so no one can charge it
 * there any more (Stripe detaches the card from its customer).
 */
export interface SavedMethodForgetRequest {
  customerId: string;
  /** The saved method's `ref`, opened from its sealed form. */
  methodRef: string;
}

/**
 * The provider's answer to an off-session charge. `succeeded`: paid (the engine credits the payment once).
 * `declined`: refused for good (insufficient funds, a card removed); nothing was charged. `requires_action`:
 * the bank wants the buyer (3-D Secure, a confirmation in their bank's app): `actionUrl` is where they
 * confirm; the payment stays pending until the provider's callback or a verify says paid. `pending`: taken
 * but not final; the callback or a verify settles it.
 */
export type SavedMethodChargeOutcome =
  | { status: 'succeeded'; externalRef: string; amount?: Money | null }
  | { status: 'declined'; externalRef: string | null; reason: string }
  | { status: 'requires_action'; externalRef: string; actionUrl: string }
  | { status: 'pending'; externalRef: string };

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
   * engine stores nothing. It may be called again for the same `paymentId` (see there): where the
   * provider's API takes an idempotency key, it answers with the same payment. Providers without it (card receipts, the test provider) take the buyer's
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
  /**
   * Gives back (part of) a credited payment at the provider: required with `capabilities.refunds`. Called
   * from the engine's refund job, possibly more than once for one refund (a lost answer, a `pending` one,
   * another replica after a crash), always with the same `idempotencyKey`: each call answers about the same
   * refund. The job retries for days, longer than a gateway keeps idempotency keys (24 hours at Stripe and
   * YooKassa): before sending a refund again the provider looks it up (by `refundRef`, or by the key it kept in
   * the refund's metadata), so a retry after the key expired is still the same refund, never a second one.
   * Throws `PaymentProviderUnavailableError` when the provider cannot be reached (the job retries).
   */
  refund?(request: PaymentRefundRequest): Promise<PaymentRefundOutcome>;
  /**
   * Charges a saved method off-session: required with `capabilities.savedMethods`. Called from the engine's
   * charge job, with the same `idempotencyKey` on every retry: one charge at the provider however often it
   * is called. Throws `PaymentProviderUnavailableError` when the provider cannot be reached (the job retries).
   */
  chargeSavedMethod?(request: SavedMethodChargeRequest): Promise<SavedMethodChargeOutcome>;
  /**
   * Makes the gateway forget a saved method the buyer removed (optional with `capabilities.savedMethods`; a
   * gateway whose API cannot forget one leaves it out, and the engine only stops charging it). Called from the
   * engine's job after the removal committed, possibly more than once: a method the gateway no longer knows is
   * success. Throws `PaymentProviderUnavailableError` when the provider cannot be reached (the job retries).
   */
  forgetSavedMethod?(request: SavedMethodForgetRequest): Promise<void>;
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
