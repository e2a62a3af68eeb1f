import { ValidationError } from '@panelkit/sdk';

/**
 * Checks for the few parameters the SDK has no zod schema for (lease lengths, counts, lookup
 * keys), the same as the memory storage's. Each failure is a `ValidationError` before any write.
 */
export function invalid(what: string, path: string, message: string): never {
  throw new ValidationError(`invalid ${what}: ${path}: ${message}`, [{ path, message }]);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(what, '(root)', 'must be an object');
  return value as Record<string, unknown>;
}

export function asString(value: unknown, what: string, path: string, bounds: { min?: number; max?: number } = {}): string {
  if (typeof value !== 'string') invalid(what, path, 'must be a string');
  if (bounds.min !== undefined && value.length < bounds.min) invalid(what, path, `must be at least ${bounds.min} characters`);
  if (bounds.max !== undefined && value.length > bounds.max) invalid(what, path, `must be at most ${bounds.max} characters`);
  return value;
}

export function asInteger(value: unknown, what: string, path: string, bounds: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) invalid(what, path, 'must be an integer');
  if (value < bounds.min || value > bounds.max) invalid(what, path, `must be between ${bounds.min} and ${bounds.max}`);
  return value;
}

export function asDate(value: unknown, what: string, path: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalid(what, path, 'must be a valid Date');
  return new Date(value.getTime());
}

export function asArray(value: unknown, what: string, path: string): readonly unknown[] {
  if (!Array.isArray(value)) invalid(what, path, 'must be an array');
  return value;
}

/** A key looked up by `get`-style reads: any string (an unknown one simply finds nothing). */
export function asKey(value: unknown, what: string): string {
  return asString(value, what, '(root)');
}

/** The patch without keys whose value is `undefined` (an absent field means "leave as is"). */
export function definedFields<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(patch) as (keyof T)[]) {
    if (patch[key] !== undefined) out[key] = patch[key];
  }
  return out;
}
