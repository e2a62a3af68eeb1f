import { deriveRemoteIdentity, type ClientSpec, type TargetRef } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { DAY, serveSimulator } from '../support/msw.js';
import { createMarzbanAdapter, type MarzbanAdapterOptions } from '../../src/marzban/index.js';
import { createMarzbanSimulator, type MarzbanSimulator, type MarzbanSimulatorOptions } from '../../src/simulators/marzban/index.js';

export const ORIGIN = 'http://marzban.test';
export const PASSWORD = 'marzban-owner-password';

export const VLESS_TARGET: TargetRef = { remoteRef: 'VLESS TCP REALITY', protocol: 'vless', remoteMeta: { inbounds: { vless: ['VLESS TCP REALITY'] } } };

export function setup(
  simOptions: MarzbanSimulatorOptions = {},
  adapterOptions: Partial<MarzbanAdapterOptions> = {},
): { sim: MarzbanSimulator; adapter: ReturnType<typeof createMarzbanAdapter>; clock: ManualClock } {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const sim = createMarzbanSimulator({ clock, adminUsername: 'owner', adminPassword: PASSWORD, ...simOptions });
  serveSimulator(ORIGIN, sim);
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

export { ctx, useMsw } from '../support/msw.js';
