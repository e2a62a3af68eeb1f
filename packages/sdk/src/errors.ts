/**
 * The error taxonomy. Every error the SDK, its adapters and its storages throw on purpose is a
 * {@link PanelkitError}: a stable `code`, a `retryable` flag the retry policy reads, a `cause`
 * chain, and a `toJSON()` that is safe to log or return to a client (no credentials, no bodies).
 *
 * Classes are recognised through a brand (`PanelkitError.is(e)`, `PanelAuthError.is(e)`), so
 * checks work across duplicate copies of the package, where `instanceof` would not.
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
  | 'PANEL_OUTCOME_UNKNOWN'
  | 'CONFIGURATION'
  | 'INTERNAL';

const BRAND = Symbol.for('panelkit.error');
const KINDS = Symbol.for('panelkit.error.kinds');

/** Details that are safe to show: primitives and plain structures only. */
export type SafeDetails = Record<string, unknown>;

export interface PanelkitErrorOptions {
  cause?: unknown;
  retryable?: boolean;
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

export class PanelkitError extends Error {
  static readonly errorName: string = 'PanelkitError';
  readonly code: PanelkitErrorCode;
  readonly retryable: boolean;
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

export interface ValidationIssue {
  path: string;
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

export class CapacityExhaustedError extends PanelkitError {
  static override readonly errorName: string = 'CapacityExhaustedError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('CAPACITY_EXHAUSTED', message, options);
  }
}

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

export class ConfigurationError extends PanelkitError {
  static override readonly errorName: string = 'ConfigurationError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super('CONFIGURATION', message, options);
  }
}

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

export interface PanelErrorContext {
  panelId?: string;
  panelKind: string;
  /** The operation, e.g. `createClients`; never a URL with credentials in it. */
  operation?: string;
  status?: number;
  attempt?: number;
}

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

/** No response: DNS failure, refused or reset connection. */
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
