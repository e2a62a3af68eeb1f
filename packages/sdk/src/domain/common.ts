import { z } from 'zod';

/** Any value that survives JSON.stringify → JSON.parse unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object: what payloads, target metadata and audit data hold. */
export type JsonObject = { [key: string]: JsonValue };

/** Whether a value is plain JSON: strings, finite numbers, booleans, null, arrays and plain objects of them. */
export function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const item of Object.values(value)) if (!isJsonValue(item)) return false;
  return true;
}

/**
 * Validates a {@link JsonValue}; rejects `NaN`/`Infinity` and anything JSON would not round-trip
 * (`undefined`, dates, class instances). A plain check rather than a recursive zod union: it runs on
 * every audit event and job payload, and the union cost about five times as much.
 */
export const JsonValueSchema: z.ZodType<JsonValue> = z.custom<JsonValue>(isJsonValue, {
  message: 'must be JSON: strings, finite numbers, booleans, null, arrays and plain objects',
});
/** Validates a {@link JsonObject}. */
export const JsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), JsonValueSchema);

/** The longest entity id, in UTF-16 units. */
export const ID_MAX_LENGTH = 128;
/** An entity id: 1–128 characters, opaque (storages choose the format). */
export const IdSchema = z.string().min(1).max(ID_MAX_LENGTH);

/** A count of bytes: a non-negative safe integer. */
export const BytesSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A free-form label used for locations and target tags: lower-case, no spaces. */
export const TagSchema = z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, 'a tag is 1–64 of a-z 0-9 _ . : -');

/** Every kind of {@link Actor}. */
export const ACTOR_TYPES = ['system', 'scheduler', 'worker', 'customer', 'admin'] as const;
/** The longest actor id, in UTF-16 units (it may be empty). */
export const ACTOR_ID_MAX_LENGTH = 128;

/** Who did something: recorded on ledger entries and audit events. */
export const ActorSchema = z.object({
  type: z.enum(ACTOR_TYPES),
  id: z.string().max(ACTOR_ID_MAX_LENGTH).nullable().default(null),
});
/** Who did something (see `ActorSchema`); `id` is `null` for system actors. */
export type Actor = z.infer<typeof ActorSchema>;
/** An {@link Actor} as callers may write it: `id` may be omitted (defaults to `null`). */
export type ActorInput = z.input<typeof ActorSchema>;

/** The actor recorded for work the kit does on its own behalf (frozen). */
export const SYSTEM_ACTOR: Actor = Object.freeze({ type: 'system', id: null });

/** Keyset pagination: pass the previous page's `nextCursor` to get the next one. */
export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

/** One page of a keyset-paginated list. */
export interface Page<T> {
  items: T[];
  /** `null` on the last page. */
  nextCursor: string | null;
}

/** The most items one page holds (`PageRequest.limit`). */
export const MAX_PAGE_LIMIT = 1000;

/** Validates a {@link PageRequest}: `limit` 1–1000 (`MAX_PAGE_LIMIT`), `cursor` opaque, from the previous page. */
export const PageRequestSchema = z.object({
  limit: z.number().int().min(1).max(MAX_PAGE_LIMIT),
  cursor: z.string().max(512).nullish(),
});
