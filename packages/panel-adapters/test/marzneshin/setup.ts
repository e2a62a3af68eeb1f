import { deriveRemoteIdentity, type ClientSpec, type TargetRef } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { DAY, serveSimulator } from '../support/msw.js';
import { createMarzneshinAdapter, type MarzneshinAdapterOptions } from '../../src/marzneshin/index.js';
import { createMarzneshinSimulator, type MarzneshinSimulator, type MarzneshinSimulatorOptions } from '../../src/simulators/marzneshin/index.js';

export const ORIGIN = 'http://marzneshin.test';
export const PASSWORD = 'marzneshin-owner-password';

export const SERVICE_TARGET: TargetRef = { remoteRef: '1', protocol: 'mixed', remoteMeta: { serviceId: 1 } };

export function setup(
  simOptions: MarzneshinSimulatorOptions = {},
  adapterOptions: Partial<MarzneshinAdapterOptions> = {},
): { sim: MarzneshinSimulator; adapter: ReturnType<typeof createMarzneshinAdapter>; clock: ManualClock } {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const sim = createMarzneshinSimulator({ clock, adminUsername: 'owner', adminPassword: PASSWORD, ...simOptions });
  serveSimulator(ORIGIN, sim);
  const adapter = createMarzneshinAdapter({
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

export function spec(name: string, clock: ManualClock, overrides: Partial<ClientSpec> = {}): ClientSpec {
  return {
    identity: deriveRemoteIdentity(name, 0, { secret: 'marzneshin-test-identity-secret' }),
    expiry: { type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) },
    trafficLimitBytes: 10 * 2 ** 30,
    deviceLimit: null,
    enabled: true,
    ...overrides,
  };
}

export { ctx, useMsw } from '../support/msw.js';
