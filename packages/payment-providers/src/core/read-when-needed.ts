/**
 * An option given as it is, or as a function read each time it is needed (a host's settings the owner may change
 * while it runs; `null` from an `api` option means the provider is off or not set up).
 */
export type ReadWhenNeeded<T> = T | (() => T | Promise<T>);

/** `value`, or what its function reads now. */
export async function readNow<T>(value: ReadWhenNeeded<T>): Promise<T> {
  return typeof value === 'function' ? (value as () => T | Promise<T>)() : value;
}
