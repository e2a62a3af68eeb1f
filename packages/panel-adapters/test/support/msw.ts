/**
 * What every adapter's unit tests share: one msw server per test file that sends a panel origin to
 * the test's simulator, and fresh call contexts.
 */
import type { CallContext } from '@panelkit/sdk/adapter';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { mswHandler } from '../../src/msw.js';
import type { FetchHandler } from '../../src/simulators/harness/types.js';

export const DAY = 86_400_000;
export const GIB = 1024 ** 3;

/** The file's msw server (vitest loads this module once per test file). */
export const server = setupServer();
const served = new Set<{ releaseHangs(): void }>();

/** Registers msw for the file; call once at the top level of a test file. */
export function useMsw(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    for (const simulator of served) simulator.releaseHangs();
    served.clear();
    server.resetHandlers();
  });
  afterAll(() => server.close());
}

/** Sends every request under `origin` to `simulator` until the test ends (its hanging requests are then released). */
export function serveSimulator(origin: string, simulator: { handle: FetchHandler; releaseHangs(): void }): void {
  served.add(simulator);
  server.use(mswHandler(origin, simulator.handle));
}

let sequence = 0;
/** A fresh call context (a new idempotency key) for one logical operation. */
export function ctx(): CallContext {
  return { signal: new AbortController().signal, idempotencyKey: `test-${++sequence}` };
}
