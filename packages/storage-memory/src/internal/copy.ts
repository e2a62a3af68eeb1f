/**
 * A deep copy: what every read returns and every write stores, so callers never share state.
 *
 * Stored values are validated plain data (objects, arrays, Dates, primitives), which this copies
 * about three times faster than `structuredClone` (it dominates the cost of a 1,000-row page).
 * Anything else falls back to `structuredClone`.
 */
export function copy<T>(value: T): T {
  return clone(value) as T;
}

function clone(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(clone);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    // A JSON payload may carry an own `__proto__` key; define it rather than set the prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: clone(source[key]), enumerable: true, writable: true, configurable: true });
    else out[key] = clone(source[key]);
  }
  return out;
}
