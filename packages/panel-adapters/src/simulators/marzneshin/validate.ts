/**
 * `UserCreate` / `UserModify` validation as pydantic v2 runs it in lax mode (`app/models/user.py`, checked
 * against a running v0.7.4, §10.7): errors keyed by field as the custom 422 handler does, the model
 * validator's (which only runs when every field passed) under `body`.
 */
import type { MarzneshinSimUser } from './state.js';

type Strategy = MarzneshinSimUser['expireStrategy'];

/** What a valid body says, in the simulator's units (ms instants, lower-case name). `undefined` = not sent. */
export interface UserInput {
  username: string;
  expireStrategy: Strategy | undefined;
  expireDate: number | null | undefined;
  usageDuration: number | null | undefined;
  activationDeadline: number | null | undefined;
  key: string | undefined;
  dataLimit: number | null | undefined;
  resetStrategy: string | undefined;
  note: string | null | undefined;
  serviceIds: number[] | undefined;
}

/** The outcome of `validateUser`: the parsed input, or the 422 `errors` by field (`body` for the whole body). */
export type Validated = { ok: true; input: UserInput } | { ok: false; errors: Record<string, string> };

/** Python's `\w` on `str` (pydantic-core's Rust regex): Unicode letters, marks, digits and connectors. */
const USERNAME_RE = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]{3,32}$/u;
const STRATEGIES: readonly Strategy[] = ['never', 'fixed_date', 'start_on_first_use'];
const RESET_STRATEGIES = ['no_reset', 'day', 'week', 'month', 'year'];
const RESET_MESSAGE = "Input should be 'no_reset', 'day', 'week', 'month' or 'year'";
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

class FieldError extends Error {}

/** pydantic's lax `int`: whole numbers, numeric strings; a fraction is refused. */
function laxInt(raw: unknown): number {
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) throw new FieldError('Input should be a valid integer, got a number with a fractional part');
    return raw;
  }
  if (typeof raw === 'string') {
    if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw new FieldError('Input should be a valid integer, unable to parse string as an integer');
    return Number(raw);
  }
  throw new FieldError('Input should be a valid integer');
}

/**
 * pydantic's lax `datetime`: ISO text or a unix time (seconds, or ms above 2e10). The panel stores it
 * naive, so an offset is dropped and the wall time kept (§10.7): `12:00+03:30` is stored as 12:00.
 */
function laxDatetime(raw: unknown): number {
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw))) {
    const value = Number(raw);
    return Math.round(Math.abs(value) > 2e10 ? value : value * 1000);
  }
  const match = typeof raw === 'string' ? ISO.exec(raw) : null;
  if (!match) throw new FieldError('Input should be a valid datetime');
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = match;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(d)) throw new FieldError('Input should be a valid datetime');
  return ms;
}

/** One optional field: `undefined` when absent (or refused, with its message in `errors`), `null` when sent as null. */
function field<T>(
  body: Record<string, unknown>,
  name: string,
  errors: Record<string, string>,
  read: (raw: unknown) => T,
): T | null | undefined {
  if (!(name in body)) return undefined;
  const raw = body[name];
  if (raw === null) return null;
  try {
    return read(raw);
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    errors[name] = error.message;
    return undefined;
  }
}

/** Validates a create (`mode: 'create'`) or modify body. */
export function validateUser(body: unknown, mode: 'create' | 'modify'): Validated {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: { body: 'Input should be a valid dictionary or object to extract fields from' } };
  }
  const b = body as Record<string, unknown>;
  const errors: Record<string, string> = {};
  let username = '';
  if (b.username === undefined) errors.username = 'Field required';
  else if (typeof b.username !== 'string') errors.username = 'Input should be a valid string';
  else if (!USERNAME_RE.test(b.username.toLowerCase())) errors.username = "String should match pattern '^\\w{3,32}$'";
  else username = b.username.toLowerCase();

  const strategy = field(b, 'expire_strategy', errors, (raw) => {
    if (!STRATEGIES.includes(raw as Strategy)) throw new FieldError("Input should be 'never', 'fixed_date' or 'start_on_first_use'");
    return raw as Strategy;
  });
  if (mode === 'create' && (strategy === undefined || strategy === null) && !('expire_strategy' in errors)) {
    errors.expire_strategy = strategy === null ? "Input should be 'never', 'fixed_date' or 'start_on_first_use'" : 'Field required';
  }
  const dataLimit = field(b, 'data_limit', errors, (raw) => {
    const value = laxInt(raw);
    if (value < 0) throw new FieldError('Input should be greater than or equal to 0');
    return value;
  });
  const resetStrategy = field(b, 'data_limit_reset_strategy', errors, (raw) => {
    if (!RESET_STRATEGIES.includes(raw as string)) throw new FieldError(RESET_MESSAGE);
    return raw as string;
  });
  if (mode === 'create' && resetStrategy === null) errors.data_limit_reset_strategy = RESET_MESSAGE;
  const note = field(b, 'note', errors, (raw) => {
    if (typeof raw !== 'string') throw new FieldError('Input should be a valid string');
    if ([...raw].length > 500) throw new FieldError('String should have at most 500 characters');
    return raw;
  });
  const key = field(b, 'key', errors, (raw) => {
    if (typeof raw !== 'string') throw new FieldError('Input should be a valid string');
    return raw;
  });
  const serviceIds = field(b, 'service_ids', errors, (raw) => {
    if (!Array.isArray(raw)) throw new FieldError('Input should be a valid list');
    return raw.map(laxInt);
  });
  if (mode === 'create' && serviceIds === null) errors.service_ids = 'Input should be a valid list';
  const input: UserInput = {
    username,
    expireStrategy: strategy ?? undefined,
    expireDate: field(b, 'expire_date', errors, laxDatetime),
    usageDuration: field(b, 'usage_duration', errors, laxInt),
    activationDeadline: field(b, 'activation_deadline', errors, laxDatetime),
    key: key ?? undefined,
    dataLimit,
    resetStrategy: resetStrategy ?? undefined,
    note,
    serviceIds: serviceIds ?? undefined,
  };
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // The model validator (`validate_expiry`) runs only on a body whose fields all passed.
  if (input.expireStrategy === 'start_on_first_use' && !input.usageDuration) {
    const message = 'Value error, User expire_strategy cannot be start_on_first_use without a valid usage_duration.';
    return { ok: false, errors: { body: message } };
  }
  if (input.expireStrategy === 'fixed_date' && (input.expireDate === null || input.expireDate === undefined)) {
    return { ok: false, errors: { body: 'Value error, User expire_strategy cannot be fixed_date without a valid expire date.' } };
  }
  return { ok: true, input };
}
