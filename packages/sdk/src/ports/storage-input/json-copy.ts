import type { JsonValue } from '../../domain/common.js';

/**
 * A copy of a JSON value as `JSON.parse(JSON.stringify(value))` would give it, without the text: `-0` as `0`, an
 * array's holes as `null`, an own `__proto__` key kept as a key. For a value `JsonValueSchema` accepts (a storage
 * hands back a payload it wrote as JSON this way, none of the caller's objects in it).
 */
export function jsonCopy<T extends JsonValue>(value: T): T {
  return copyOf(value) as T;
}

function copyOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value === 0 ? 0 : value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = value[i] === undefined ? null : copyOf(value[i]);
    return out;
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: copyOf(source[key]), enumerable: true, writable: true, configurable: true });
    else out[key] = copyOf(source[key]);
  }
  return out;
}
