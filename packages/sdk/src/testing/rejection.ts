import { expect } from 'vitest';
import { PanelkitError } from '../errors.js';

function describe(error: unknown, showRetryable: boolean): string {
  if (PanelkitError.is(error)) {
    const retryable = showRetryable ? `, retryable=${error.retryable}` : '';
    return `${error.name} (${error.code}${retryable}): ${error.message}`;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** One line for a failure message: name, code and message of a panelkit error, name and message of another. */
export function describeError(error: unknown): string {
  return describe(error, false);
}

/** {@link describeError} with the error's `retryable` flag, for panel errors. */
export function describePanelError(error: unknown): string {
  return describe(error, true);
}

/**
 * Awaits `promise`, asserts it rejected with an error that `isKind` accepts (failure messages
 * name `kind` and show the error through `describe`), and returns the error.
 */
export async function expectRejection(
  promise: Promise<unknown>,
  kind: string,
  isKind: (error: unknown) => boolean,
  describe: (error: unknown) => string,
): Promise<unknown> {
  let rejected = false;
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    rejected = true;
    caught = error;
  }
  expect(rejected, `expected a ${kind}, but the call resolved`).toBe(true);
  expect(isKind(caught), `expected a ${kind}, got ${describe(caught)}`).toBe(true);
  return caught;
}
