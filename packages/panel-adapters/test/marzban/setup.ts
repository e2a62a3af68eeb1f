import { deriveRemoteIdentity, type CallContext, type ClientSpec, type TargetRef } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createMarzbanAdapter, type MarzbanAdapterOptions } from '../../src/marzban/index.js';
import { mswHandler } from '../../src/msw.js';
import { createMarzbanSimulator, type MarzbanSimulator, type MarzbanSimulatorOptions } from '../../src/simulators/marzban/index.js';

export const ORIGIN = 'http://marzban.test';
export const PASSWORD = 'marzban-owner-password';
const DAY = 86_400_000;

let current: MarzbanSimulator | undefined;
const server = setupServer(
  mswHandler(ORIGIN, (request) => {
    if (!current) throw new Error('no simulator');
    return current.handle(request);
  }),
);

/** Installs msw for the file: every request to ORIGIN goes to the simulator of the running test. */
export function useMsw(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    current?.releaseHangs();
    current = undefined;
  });
  afterAll(() => server.close());
}

export const VLESS_TARGET: TargetRef = { remoteRef: 'VLESS TCP REALITY', protocol: 'vless', remoteMeta: { inbounds: { vless: ['VLESS TCP REALITY'] } } };

export function setup(
  simOptions: MarzbanSimulatorOptions = {},
  adapterOptions: Partial<MarzbanAdapterOptions> = {},
): { sim: MarzbanSimulator; adapter: ReturnType<typeof createMarzbanAdapter>; clock: ManualClock } {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const sim = createMarzbanSimulator({ clock, adminUsername: 'owner', adminPassword: PASSWORD, ...simOptions });
  current = sim;
  const adapter = createMarzbanAdapter({
    baseUrl: ORIGIN,
    username: 'owner',
    password: PASSWORD,
    clock,
    timeoutMs: 1_000,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1_000 },
    ...adapterOptions,
  });
  return { sim, adapter, clock };
}

let sequence = 0;
export function ctx(): CallContext {
  return { signal: new AbortController().signal, idempotencyKey: `test-${++sequence}` };
}

export function spec(name: string, clock: ManualClock, overrides: Partial<ClientSpec> = {}): ClientSpec {
  return {
    identity: deriveRemoteIdentity(name, 0, { secret: 'marzban-test-identity-secret' }),
    expiry: { type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) },
    trafficLimitBytes: 10 * 2 ** 30,
    deviceLimit: null,
    enabled: true,
    ...overrides,
  };
}
