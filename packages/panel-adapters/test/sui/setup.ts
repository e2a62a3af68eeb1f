/** One S-UI simulator behind msw and an adapter pointed at it, per test. */
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { ClientSpec, TargetRef } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { GIB, serveSimulator } from '../support/msw.js';
import { createSuiSimulator, type SuiSimulator, type SuiSimulatorOptions } from '../../src/simulators/sui/index.js';
import { createSuiAdapter, type SuiAdapter, type SuiAdapterOptions } from '../../src/sui/index.js';

export const ORIGIN = 'http://vpn.example.test:2095';
export const TOKEN = 'sui-unit-token-8c1f6a0e92b7d4';

export interface Rig {
  sim: SuiSimulator;
  adapter: SuiAdapter;
  clock: ManualClock;
  target: TargetRef;
}

export function rig(options: { sim?: Partial<SuiSimulatorOptions>; adapter?: Partial<SuiAdapterOptions> } = {}): Rig {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const sim = createSuiSimulator({ clock, token: TOKEN, ...options.sim });
  serveSimulator(ORIGIN, sim);
  const adapter = createSuiAdapter({
    baseUrl: `${ORIGIN}${sim.webPath}`,
    auth: { token: TOKEN },
    timeoutMs: 300,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 },
    sleep: async () => {},
    ...options.adapter,
  });
  const target: TargetRef = { remoteRef: '1', protocol: 'vless', remoteMeta: {} };
  return { sim, adapter, clock, target };
}

let sequence = 0;
export function spec(overrides: Partial<ClientSpec> = {}): ClientSpec {
  sequence += 1;
  return {
    identity: deriveRemoteIdentity(`sui-unit-${sequence}`, 0, { secret: 'sui-unit-identity-secret', prefix: 'su' }),
    expiry: { type: 'at', at: new Date('2026-02-01T00:00:00Z') },
    trafficLimitBytes: 10 * GIB,
    deviceLimit: null,
    enabled: true,
    ...overrides,
  };
}

/** Requests the simulator answered for `METHOD path` (path relative to the web path). */
export function calls(sim: SuiSimulator, route: string): number {
  return sim.requests.byRoute.get(route) ?? 0;
}

export { ctx, DAY, GIB, server, useMsw } from '../support/msw.js';
