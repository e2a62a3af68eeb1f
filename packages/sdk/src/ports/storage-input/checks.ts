import { ValidationError } from '../../errors.js';
import { MAX_ROWS_PER_CALL } from '../storage.js';

/**
 * Throws the `ValidationError` every storage gives for a bad parameter the SDK has no zod schema
 * for: message `invalid <what>: <path>: <message>`, one issue at `path`.
 *
 * @param what - What was being read, e.g. `'claim request'`.
 * @param path - Where in it, or `'(root)'`.
 * @param message - What is wrong with it.
 */
export function invalidInput(what: string, path: string, message: string): never {
  throw new ValidationError(`invalid ${what}: ${path}: ${message}`, [{ path, message }]);
}

/** The value as a plain object (not null, not an array), or a `ValidationError` at `(root)`. */
export function inputRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalidInput(what, '(root)', 'must be an object');
  return value as Record<string, unknown>;
}

/** The value as a string within optional length bounds (in UTF-16 units), or a `ValidationError`. */
export function inputString(value: unknown, what: string, path: string, bounds: { min?: number; max?: number } = {}): string {
  if (typeof value !== 'string') invalidInput(what, path, 'must be a string');
  if (bounds.min !== undefined && value.length < bounds.min) invalidInput(what, path, `must be at least ${bounds.min} characters`);
  if (bounds.max !== undefined && value.length > bounds.max) invalidInput(what, path, `must be at most ${bounds.max} characters`);
  return value;
}

/** The value as an integer in `[bounds.min, bounds.max]`, or a `ValidationError`. */
export function inputInteger(value: unknown, what: string, path: string, bounds: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) invalidInput(what, path, 'must be an integer');
  if (value < bounds.min || value > bounds.max) invalidInput(what, path, `must be between ${bounds.min} and ${bounds.max}`);
  return value;
}

/** A copy of the value if it is a valid `Date`, or a `ValidationError`. */
export function inputDate(value: unknown, what: string, path: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalidInput(what, path, 'must be a valid Date');
  return new Date(value.getTime());
}

/** The value as an array (its items unchecked), or a `ValidationError`. */
export function inputArray(value: unknown, what: string, path: string): readonly unknown[] {
  if (!Array.isArray(value)) invalidInput(what, path, 'must be an array');
  return value;
}

/** A key looked up by `get`-style reads: any string (an unknown one simply finds nothing). */
export function inputKey(value: unknown, what: string): string {
  return inputString(value, what, '(root)');
}

/** Orders strings by code point (SQL's `COLLATE "C"`), as every storage lists keys. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys looked up together: an array of at most `max` strings (duplicates allowed), or a `ValidationError`. */
export function inputKeys(value: unknown, what: string, max: number): string[] {
  const items = inputArray(value, what, '(root)');
  if (items.length > max) invalidInput(what, '(root)', `must hold at most ${max} items`);
  return items.map((item, i) => inputString(item, what, `${i}`));
}

/** The patch without keys whose value is `undefined` (an absent field means "leave as is"). */
export function definedFields<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(patch) as (keyof T)[]) {
    if (patch[key] !== undefined) out[key] = patch[key];
  }
  return out;
}

/** The rows of a `…Many` call: an array of at most {@link MAX_ROWS_PER_CALL} items, or a `ValidationError`. */
export function inputRows<T>(value: readonly T[], what: string): readonly T[] {
  const items = inputArray(value, what, '(root)');
  if (items.length > MAX_ROWS_PER_CALL) invalidInput(what, '(root)', `must hold at most ${MAX_ROWS_PER_CALL} items`);
  return items as readonly T[];
}
