// The error taxonomy: see PanelkitError below.
import type { RefundRefusalReason } from './rules/refund.js';

/**
 * The stable, machine-readable code of a {@link PanelkitError}: one per kind of failure. Hosts
 * branch on it (or on the class via `XxxError.is(e)`) and map it to a status code or a message;
 * it is also what a failed job stores (`SerializedError.code`, which may hold codes from other versions).
 */
export type PanelkitErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IDEMPOTENCY_CONFLICT'
  | 'NOT_ELIGIBLE'
  | 'INSUFFICIENT_FUNDS'
  | 'CAPACITY_EXHAUSTED'
  | 'INVALID_TRANSITION'
  | 'LEASE_LOST'
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_MISUSE'
  | 'PANEL_CONNECTION'
  | 'PANEL_TIMEOUT'
  | 'PANEL_AUTH'
  | 'PANEL_RATE_LIMITED'
  | 'PANEL_NOT_FOUND'
  | 'PANEL_CONFLICT'
  | 'PANEL_SERVER'
  | 'PANEL_BAD_RESPONSE'
  | 'PANEL_REJECTED'
  | 'PANEL_UNSUPPORTED'
  | 'PANEL_POOL_EXHAUSTED'
  | 'PANEL_OUTCOME_UNKNOWN'
  | 'CONFIGURATION'
  | 'INTERNAL'
  | 'WAIT_TIMED_OUT'
  | 'RETRY_LATER'
  | 'PAYMENT_PROVIDER_UNAVAILABLE'
  | 'PAYMENT_SIGNATURE_INVALID';

const BRAND = Symbol.for('panelkit.error');
const KINDS = Symbol.for('panelkit.error.kinds');

/** Details that are safe to show: primitives and plain structures only. */
export type SafeDetails = Record<string, unknown>;

/** What every error constructor accepts beside its own arguments. */
export interface PanelkitErrorOptions {
  /** The error this one wraps; serialised by `toJSON()` only when it is itself a panelkit error. */
  cause?: unknown;
  /** Overrides the class's default: whether the retry policy may run the operation again. */
  retryable?: boolean;
  /** Extra fields for `toJSON()`; must be safe to show (no credentials, no request bodies). */
  details?: SafeDetails;
}

/** What `toJSON()` produces; also what a failed job stores as its last error. */
export interface SerializedError {
  name: string;
  /** A `PanelkitErrorCode` for errors made here; stored errors may come from other versions. */
  code: string;
  message: string;
  retryable: boolean;
  details?: SafeDetails;
  cause?: SerializedError;
}

/**
 * The base of the error taxonomy. Every error the SDK, its adapters and its storages throw on
 * purpose is a `PanelkitError`: a stable {@link PanelkitErrorCode} `code`, a `retryable` flag the
 * retry policy reads, a `cause` chain, and a `toJSON()` that is safe to log or return to a client
 * (no credentials, no bodies, no stack, no foreign cause).
 *
 * Classes are recognised through a brand (`PanelkitError.is(e)`, `PanelAuthError.is(e)`), so
 * checks work across duplicate copies of the package, where `instanceof` would not. Anything else
 * thrown is normalised by {@link toPanelkitError}.
 *
 * Groups: input and business rules (`ValidationError`, `NotFoundError`, `ConflictError`,
 * `PanelNameTakenError`, `IdempotencyConflictError`, `EligibilityError`, `InsufficientFundsError`,
 * `CapacityExhaustedError`, `InvalidTransitionError`, `ConfigurationError`, `InternalError`);
 * storage (`LeaseLostError`, `StorageUnavailableError`, `StorageMisuseError`); panels
 * ({@link PanelError} and its subclasses, typed by what happened on the wire).
 */
export class PanelkitError extends Error {
  /** The class name written into `name`; each subclass overrides it (it survives minification). */
  static readonly errorName: string = 'PanelkitError';
  /** What kind of failure this is. */
  readonly code: PanelkitErrorCode;
  /** Whether running the same operation again may succeed (the retry policy reads this). */
  readonly retryable: boolean;
  /** Safe-to-show context (ids, statuses, issues), also carried by `toJSON()`. */
  readonly details: SafeDetails | undefined;

  constructor(code: PanelkitErrorCode, message: string, options: PanelkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    const kinds: string[] = [];
    for (let ctor = new.target as unknown; ctor && ctor !== Function.prototype; ctor = Object.getPrototypeOf(ctor)) {
      const name = (ctor as { errorName?: string }).errorName;
      if (typeof name === 'string' && !kinds.includes(name)) kinds.push(name);
    }
    this.name = kinds[0] ?? 'PanelkitError';
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
    Object.defineProperty(this, KINDS, { value: kinds, enumerable: false });
  }

  /** True for any panelkit error, from this copy of the package or another. */
  static is<T extends abstract new (...args: never[]) => PanelkitError>(
    this: T & { readonly errorName: string },
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    const branded = value as { [BRAND]?: unknown; [KINDS]?: unknown };
    if (branded[BRAND] !== true) return false;
    const kinds = branded[KINDS];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `is()` was called on
    return Array.isArray(kinds) && kinds.includes(this.errorName);
  }

  /**
   * A plain object safe to log or send to a client: name, code, message, retryable, details, and
   * the cause only when it is itself a panelkit error. Never a stack or a foreign error's text.
   */
  toJSON(): SerializedError {
    const json: SerializedError = {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.details !== undefined) json.details = this.details;
    if (PanelkitError.is(this.cause)) json.cause = this.cause.toJSON();
    return json;
  }
}

// ---------------------------------------------------------------------------------------------
// Input and business-rule errors
// ---------------------------------------------------------------------------------------------

/** One problem found in an input. */
export interface ValidationIssue {
  /** Dotted path of the offending field (`items.0.quantity`); empty for the input as a whole. */
  path: string;
  /** What is wrong, in English, for developers. */
  message: string;
}

/** Input failed validation. Nothing was changed. */
export class ValidationError extends PanelkitError {
  static override readonly errorName: string = 'ValidationError';
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[] = [], options: PanelkitErrorOptions = {}) {
    super('VALIDATION_FAILED', message, { ...options, details: { ...options.details, issues } });
    this.issues = issues;
  }
}

/** An entity the caller named does not exist (`entity` and `id` say which). Not retryable. */
export class NotFoundError extends PanelkitError {
  static override readonly errorName: string = 'NotFoundError';
  readonly entity: string;
  readonly id: string;
  constructor(entity: string, id: string, options: PanelkitErrorOptions = {}) {
    super('NOT_FOUND', `${entity} ${id} was not found`, { ...options, details: { entity, id, ...options.details } });
    this.entity = entity;
    this.id = id;
  }
}

/** A write lost a race: a unique key already exists, or an optimistic revision did not match. */
export class ConflictError extends PanelkitError {
  static override readonly errorName: string = 'ConflictError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('CONFLICT', message, options);
  }
}

/**
 * Another panel already has this name: a panel's name is unique in storage (hosts and deployment files find a
 * panel by it), so `panels.create`, or an update that renames, changes nothing. `name` is the name asked for.
 * Two processes that add the same panel at once therefore store it once: the loser gets this error and may read
 * the winner's panel by its name.
 */
export class PanelNameTakenError extends ConflictError {
  static override readonly errorName: string = 'PanelNameTakenError';
  readonly panelName: string;
  constructor(panelName: string, options: PanelkitErrorOptions = {}) {
    super(`a panel named "${panelName}" already exists`, { ...options, details: { name: panelName, ...options.details } });
    this.panelName = panelName;
  }
}

/** The same idempotency key was used with a different request. */
export class IdempotencyConflictError extends PanelkitError {
  static override readonly errorName: string = 'IdempotencyConflictError';
  readonly key: string;
  constructor(key: string, options: PanelkitErrorOptions = {}) {
    super('IDEMPOTENCY_CONFLICT', `idempotency key ${key} was already used for a different request`, {
      ...options,
      details: { key, ...options.details },
    });
    this.key = key;
  }
}

/** A rule said no. `reasons` are machine-readable; hosts translate them. */
export class EligibilityError extends PanelkitError {
  static override readonly errorName: string = 'EligibilityError';
  readonly reasons: readonly string[];
  constructor(message: string, reasons: readonly string[], options: PanelkitErrorOptions = {}) {
    super('NOT_ELIGIBLE', message, { ...options, details: { reasons, ...options.details } });
    this.reasons = reasons;
  }
}

/**
 * `kit.refund` refused a refund; nothing was written. `reason` says why (a `RefundRefusalReason`:
 * `not_customers_order`, `wrong_currency`, `nothing_to_refund`, `exceeds_paid`, `order_provisioning`); `refundable` is what
 * is left to refund on the order, in integer minor units of its currency (0 for another's order).
 */
export class RefundRefusedError extends EligibilityError {
  static override readonly errorName: string = 'RefundRefusedError';
  constructor(
    readonly orderId: string,
    readonly reason: RefundRefusalReason,
    readonly refundable: number,
    options: PanelkitErrorOptions = {},
  ) {
    super(`refund of order ${orderId} refused: ${reason}`, [reason], { ...options, details: { orderId, refundable, ...options.details } });
  }
}

/**
 * A debit would take a customer's balance below zero; nothing was written. `balance` and
 * `required` are in integer minor units of `currency`.
 */
export class InsufficientFundsError extends PanelkitError {
  static override readonly errorName: string = 'InsufficientFundsError';
  constructor(
    readonly customerId: string,
    readonly currency: string,
    readonly balance: number,
    readonly required: number,
    options: PanelkitErrorOptions = {},
  ) {
    super('INSUFFICIENT_FUNDS', `balance ${balance} ${currency} does not cover ${required}`, {
      ...options,
      details: { customerId, currency, balance, required, ...options.details },
    });
  }
}

/** No target (or the plan's `maxClients`) had a free slot for a reservation; nothing was reserved. */
export class CapacityExhaustedError extends PanelkitError {
  static override readonly errorName: string = 'CapacityExhaustedError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('CAPACITY_EXHAUSTED', message, options);
  }
}

/** A subscription status change the state machine forbids (see `assertTransition`). */
export class InvalidTransitionError extends PanelkitError {
  static override readonly errorName: string = 'InvalidTransitionError';
  constructor(
    readonly from: string,
    readonly to: string,
    options: PanelkitErrorOptions = {},
  ) {
    super('INVALID_TRANSITION', `a subscription cannot go from ${from} to ${to}`, {
      ...options,
      details: { from, to, ...options.details },
    });
  }
}

/** A wait (e.g. `kit.waitForSubscription`) ran out of time before what it waited for happened; nothing was changed. */
export class WaitTimeoutError extends PanelkitError {
  static override readonly errorName: string = 'WaitTimeoutError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('WAIT_TIMED_OUT', message, options);
  }
}

/** The kit or an adapter was set up wrongly (missing adapter for a panel kind, secret too short, ...). */
export class ConfigurationError extends PanelkitError {
  static override readonly errorName: string = 'ConfigurationError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('CONFIGURATION', message, options);
  }
}

/**
 * Something unexpected: a bug or a foreign exception, wrapped by {@link toPanelkitError}. Its
 * message never repeats the original (which may hold secrets); the original is the `cause`.
 */
export class InternalError extends PanelkitError {
  static override readonly errorName: string = 'InternalError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('INTERNAL', message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Storage errors
// ---------------------------------------------------------------------------------------------

/** A job's lease was lost (expired and reaped, or taken by another worker). */
export class LeaseLostError extends PanelkitError {
  static override readonly errorName: string = 'LeaseLostError';
  constructor(
    readonly jobId: string,
    options: PanelkitErrorOptions = {},
  ) {
    super('LEASE_LOST', `the lease on job ${jobId} was lost`, { ...options, details: { jobId, ...options.details } });
  }
}

/** The storage could not be reached or the transaction could not complete; safe to retry. */
export class StorageUnavailableError extends PanelkitError {
  static override readonly errorName: string = 'StorageUnavailableError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('STORAGE_UNAVAILABLE', message, { retryable: true, ...options });
  }
}

/** The storage was used in a way its contract forbids (a programming error in the caller). */
export class StorageMisuseError extends PanelkitError {
  static override readonly errorName: string = 'StorageMisuseError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('STORAGE_MISUSE', message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Panel errors
// ---------------------------------------------------------------------------------------------

/** Where a panel error happened; copied into the error's fields and details. */
export interface PanelErrorContext {
  /** The panel's id in storage, when the adapter was created for a stored panel. */
  panelId?: string;
  /** The adapter's kind (`3x-ui`, `marzban`, ...). */
  panelKind: string;
  /** The operation, e.g. `createClients`; never a URL with credentials in it. */
  operation?: string;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** Which attempt of the operation failed (1-based), when the caller retries. */
  attempt?: number;
}

/**
 * The base of every error a panel adapter throws about its panel. Adapters throw the subclass that
 * says what happened; the engine reads `retryable` (connection, timeout, rate limit, server,
 * outcome unknown) to back off and retry, and fails the job for good otherwise.
 */
export class PanelError extends PanelkitError {
  static override readonly errorName: string = 'PanelError';
  readonly panelId: string | undefined;
  readonly panelKind: string;
  readonly operation: string | undefined;
  readonly status: number | undefined;

  constructor(code: PanelkitErrorCode, message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super(code, message, {
      ...options,
      details: {
        panelId: context.panelId,
        panelKind: context.panelKind,
        operation: context.operation,
        status: context.status,
        attempt: context.attempt,
        ...options.details,
      },
    });
    this.panelId = context.panelId;
    this.panelKind = context.panelKind;
    this.operation = context.operation;
    this.status = context.status;
  }
}

/**
 * No response: DNS failure, refused or reset connection. Retryable. A write whose connection failed after the
 * request was sent may have been applied: adapters settle it by reading the panel back, or the next attempt adopts.
 */
export class PanelConnectionError extends PanelError {
  static override readonly errorName: string = 'PanelConnectionError';
  constructor(
    message: string,
    context: PanelErrorContext,
    options: PanelkitErrorOptions = {},
    code: 'PANEL_CONNECTION' | 'PANEL_TIMEOUT' = 'PANEL_CONNECTION',
  ) {
    super(code, message, context, { retryable: true, ...options });
  }
}

/** The call timed out; the panel may or may not have applied it. */
export class PanelTimeoutError extends PanelConnectionError {
  static override readonly errorName: string = 'PanelTimeoutError';
  constructor(message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super(message, context, options, 'PANEL_TIMEOUT');
  }
}

/** Credentials were refused even after one fresh login. */
export class PanelAuthError extends PanelError {
  static override readonly errorName: string = 'PanelAuthError';
  constructor(message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super('PANEL_AUTH', message, context, { retryable: false, ...options });
  }
}

/** The panel answered 429 (or equivalent). `retryAfterMs`, when known, is how long to wait, in ms. */
export class PanelRateLimitError extends PanelError {
  static override readonly errorName: string = 'PanelRateLimitError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, context: PanelErrorContext & { retryAfterMs?: number }, options: PanelkitErrorOptions = {}) {
    super('PANEL_RATE_LIMITED', message, context, {
      retryable: true,
      ...options,
      details: { retryAfterMs: context.retryAfterMs, ...options.details },
    });
    this.retryAfterMs = context.retryAfterMs;
  }
}

/** The panel has no such client or target. `deleteClient` treats it as success; other calls throw it. */
export class PanelNotFoundError extends PanelError {
  static override readonly errorName: string = 'PanelNotFoundError';
  constructor(message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super('PANEL_NOT_FOUND', message, context, { retryable: false, ...options });
  }
}

/** The panel refused because something already exists or is in that state. */
export class PanelConflictError extends PanelError {
  static override readonly errorName: string = 'PanelConflictError';
  constructor(message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super('PANEL_CONFLICT', message, context, { retryable: false, ...options });
  }
}

/** 5xx, or an envelope that says the server failed. */
export class PanelServerError extends PanelError {
  static override readonly errorName: string = 'PanelServerError';
  constructor(message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super('PANEL_SERVER', message, context, { retryable: true, ...options });
  }
}

/** A response body that does not match the schema the adapter expects (API drift, HTML, junk). */
export class PanelResponseError extends PanelError {
  static override readonly errorName: string = 'PanelResponseError';
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, context: PanelErrorContext, issues: readonly ValidationIssue[] = [], options: PanelkitErrorOptions = {}) {
    super('PANEL_BAD_RESPONSE', message, context, { retryable: false, ...options, details: { issues, ...options.details } });
    this.issues = issues;
  }
}

/** The panel validated the request and refused it (e.g. a 422 with field errors). */
export class PanelRejectedError extends PanelError {
  static override readonly errorName: string = 'PanelRejectedError';
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, context: PanelErrorContext, issues: readonly ValidationIssue[] = [], options: PanelkitErrorOptions = {}) {
    super('PANEL_REJECTED', message, context, { retryable: false, ...options, details: { issues, ...options.details } });
    this.issues = issues;
  }
}

/** The panel (or this version of it) cannot do the operation at all. */
export class PanelUnsupportedError extends PanelError {
  static override readonly errorName: string = 'PanelUnsupportedError';
  constructor(message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super('PANEL_UNSUPPORTED', message, context, { retryable: false, ...options });
  }
}

/**
 * The panel has no address left for a new WireGuard peer on the target (its pool is full); nothing was created.
 * Not retryable: the owner must widen the pool or stop selling there.
 */
export class PanelPoolExhaustedError extends PanelError {
  static override readonly errorName: string = 'PanelPoolExhaustedError';
  constructor(message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super('PANEL_POOL_EXHAUSTED', message, context, { retryable: false, ...options });
  }
}

/**
 * A write whose outcome could not be learned (an empty body, a 500 after commit) and could not be
 * resolved by reading back. Retryable: the operation is idempotent, so running it again converges.
 */
export class PanelOutcomeUnknownError extends PanelError {
  static override readonly errorName: string = 'PanelOutcomeUnknownError';
  constructor(message: string, context: PanelErrorContext, options: PanelkitErrorOptions = {}) {
    super('PANEL_OUTCOME_UNKNOWN', message, context, { retryable: true, ...options });
  }
}

/**
 * Normalise anything thrown into a PanelkitError. Panelkit errors pass through; anything else
 * becomes an InternalError whose message does not repeat the original (it may hold secrets).
 */
export function toPanelkitError(error: unknown): PanelkitError {
  if (PanelkitError.is(error)) return error;
  const name = error instanceof Error ? error.name : typeof error;
  return new InternalError(`unexpected ${name}`, { cause: error });
}

/**
 * Thrown by a host job's handler (see `defineHostJob`) to be run again no sooner than `retryAfterMs`
 * from now, e.g. on a 429 with `retry_after`. The attempt counts; the wait is a floor under the backoff.
 */
export class RetryLaterError extends PanelkitError {
  static override readonly errorName: string = 'RetryLaterError';
  /** The least time to wait before the next attempt, in ms. */
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: PanelkitErrorOptions = {}) {
    super('RETRY_LATER', message, { ...options, retryable: true, details: { retryAfterMs, ...options.details } });
    this.retryAfterMs = retryAfterMs;
  }
}
