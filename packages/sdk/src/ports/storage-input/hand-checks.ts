import { ACTOR_ID_MAX_LENGTH, ACTOR_TYPES, ID_MAX_LENGTH, isJsonValue } from '../../domain/common.js';
import type { Actor, JsonObject } from '../../domain/common.js';
import { CURRENCY_PATTERN } from '../../domain/money.js';
import type { Money } from '../../domain/money.js';

/*
 * The pieces of the storages' hand checks of rows (`parseNewJob`, `parsePlacement`): each accepts only what the zod
 * schema it stands for accepts, and gives what that schema gives; `undefined` where it cannot accept (the caller then
 * lets zod decide, so a bad row's error is zod's own). Each may be stricter than its schema, never looser.
 */

/** A plain object (its prototype `Object.prototype` or `null`), whose fields the schema would read as given. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A string of `min` to `max` UTF-16 units. */
export function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** A nullable string with a `null` default: `null` when absent, `false` when not such a string. */
export function nullableText(value: unknown, min: number, max: number): string | null | false {
  return value === undefined || value === null ? null : isText(value, min, max) ? value : false;
}

/** An entity id (`IdSchema`). */
export function isId(value: unknown): value is string {
  return isText(value, 1, ID_MAX_LENGTH);
}

/** A safe integer in `[min, max]` (zod's `int()` is a safe integer). */
export function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** A valid `Date` (`z.date()`). */
export function isDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** One of an enum's values. */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return (values as readonly unknown[]).includes(value);
}

/** A copy of money (`MoneySchema`) whose amount is at least `min`, or `undefined`. */
export function moneyOf(value: unknown, min: number = Number.MIN_SAFE_INTEGER): Money | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { amount, currency } = value;
  if (!isInteger(amount, min, Number.MAX_SAFE_INTEGER)) return undefined;
  if (typeof currency !== 'string' || !CURRENCY_PATTERN.test(currency)) return undefined;
  return { amount, currency };
}

/** A copy of an actor (`ActorSchema`, its id defaulting to `null`), or `undefined`. */
export function actorOf(value: unknown): Actor | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { type, id } = value;
  if (!isOneOf(ACTOR_TYPES, type)) return undefined;
  if (id === undefined || id === null) return { type, id: null };
  return isText(id, 0, ACTOR_ID_MAX_LENGTH) ? { type, id } : undefined;
}

/**
 * A copy of a plain object of JSON values, as `JsonObjectSchema` (a zod record) builds it: its own enumerable string
 * keys. `undefined` for anything the record would refuse or treat apart (symbol keys, an own `__proto__`).
 */
export function jsonObject(value: unknown): JsonObject | undefined {
  if (!isPlainRecord(value)) return undefined;
  if (Object.getOwnPropertySymbols(value).length > 0) return undefined;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (key === '__proto__' || !isJsonValue(item)) return undefined;
    out[key] = item;
  }
  return out;
}

/** A copy of an array of strings of at most `maxLength` units, at most `maxItems` of them, or `undefined`. */
export function textsOf(value: unknown, maxItems: number, maxLength: number): string[] | undefined {
  if (!Array.isArray(value) || value.length > maxItems) return undefined;
  for (const item of value) if (!isText(item, 0, maxLength)) return undefined;
  return [...(value as string[])];
}
