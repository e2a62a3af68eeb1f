/** One 3x-ui simulator behind msw and an adapter pointed at it, per test. */
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { ClientSpec, TargetRef } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { GIB, serveSimulator } from '../support/msw.js';
import { createXuiSimulator, type XuiSimulator, type XuiSimulatorOptions } from '../../src/simulators/xui/index.js';
import { createXuiAdapter, type XuiAdapter, type XuiAdapterOptions } from '../../src/xui/index.js';

export const ORIGIN = 'http://vpn.example.test:2053';
export const BASE_PATH = '/p4n3lB4s3/';
export const PASSWORD = 'xui-unit-password-31c9';
export const TOKEN = 'xui-unit-token-9f2e6b1d7a';

export interface Rig {
  sim: XuiSimulator;
  adapter: XuiAdapter;
  clock: ManualClock;
  /** The demo inbounds as targets: vless (reality/tcp), vmess (ws), trojan (ws/tls), shadowsocks (2022). */
  targets: { vless: TargetRef; vmess: TargetRef; trojan: TargetRef; ss: TargetRef };
}

export function rig(
  options: { version?: string; sim?: Partial<XuiSimulatorOptions>; adapter?: Partial<XuiAdapterOptions>; token?: boolean } = {},
): Rig {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const sim = createXuiSimulator({
    version: options.version ?? '2.8.x',
    clock,
    basePath: BASE_PATH,
    credentials: { username: 'admin', password: PASSWORD },
    apiTokens: [TOKEN],
    ...options.sim,
  });
  const inbounds = sim.seedDemo();
  serveSimulator(ORIGIN, sim);
  const adapter = createXuiAdapter({
    baseUrl: `${ORIGIN}${BASE_PATH}`,
    auth: options.token ? { token: TOKEN } : { username: 'admin', password: PASSWORD },
    clock,
    timeoutMs: 300,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 },
    sleep: async () => {},
    ...options.adapter,
  });
  const [vless, vmess, trojan, ss] = inbounds.map((ib) => ({
    remoteRef: String(ib.id),
    protocol: ib.protocol,
    remoteMeta: { inboundId: ib.id },
  }));
  return { sim, adapter, clock, targets: { vless: vless!, vmess: vmess!, trojan: trojan!, ss: ss! } };
}

let sequence = 0;
export function spec(overrides: Partial<ClientSpec> = {}): ClientSpec {
  sequence += 1;
  return {
    identity: deriveRemoteIdentity(`xui-unit-${sequence}`, 0, { secret: 'xui-unit-identity-secret', prefix: 'xu' }),
    expiry: { type: 'at', at: new Date('2026-02-01T00:00:00Z') },
    trafficLimitBytes: 10 * GIB,
    deviceLimit: 2,
    enabled: true,
    ...overrides,
  };
}

/** Requests the simulator answered for `METHOD path` (path relative to the base path). */
export function calls(sim: XuiSimulator, route: string): number {
  return sim.requests.byRoute.get(route) ?? 0;
}

/** Requests the simulator answered for every route starting with `METHOD path` (e.g. one per client's email). */
export function callsUnder(sim: XuiSimulator, prefix: string): number {
  let n = 0;
  for (const [route, count] of sim.requests.byRoute) if (route.startsWith(prefix)) n += count;
  return n;
}

export { ctx, DAY, GIB, server, useMsw } from '../support/msw.js';
