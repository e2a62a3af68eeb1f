/**
 * The demo panels with a real proxy core (`DEMO_CORE=v2ray`): besides the demo inbounds (REALITY,
 * TLS and SS-2022, which v2ray 4.34 cannot run and which stay API-only), each simulated panel gets
 * one inbound per protocol the core runs, on 127.0.0.1 ports kept in the data folder so links sold
 * before a restart still connect. A client app on this machine imports a subscription's link and
 * carries real traffic; the panel's traffic job (every 10 s, as in 3x-ui) counts it and cuts off
 * depleted and expired clients.
 */
import { createServer } from 'node:net';
import { freeLocalPort, type XuiInboundSeed, type XuiSimInbound, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import type { DemoPanels } from './demo-panels.js';

/** How often the demo panels read the core's counters (3x-ui's traffic job runs every 10 s). */
export const DEMO_TRAFFIC_INTERVAL_MS = 10_000;

/** The inbounds the core serves, in the order their ports are remembered. */
const CORE_INBOUNDS: readonly Omit<XuiInboundSeed, 'port'>[] = [
  {
    remark: 'VLESS-WS (live)',
    protocol: 'vless',
    streamSettings: { network: 'ws', security: 'none', externalProxy: [], wsSettings: { path: '/live', host: '', headers: {} } },
  },
  { remark: 'VMess-TCP (live)', protocol: 'vmess' },
  { remark: 'Trojan-TCP (live)', protocol: 'trojan', settings: { fallbacks: [] } },
  { remark: 'SS-AES (live)', protocol: 'shadowsocks', settings: { method: 'aes-256-gcm', password: '', network: 'tcp,udp' } },
];

/**
 * Whether the core runs `inbound`: only the live ones, whose ports are free ones kept in the data
 * folder (the seeded demo inbounds have fixed ports such as 8080, shared by both panels).
 */
export function isLiveInbound(inbound: XuiSimInbound): boolean {
  return CORE_INBOUNDS.some((seed) => seed.remark === inbound.remark);
}

/** The remark of the inbound the demo plans sell when the core runs (its target is preferred). */
export const LIVE_PLAN_INBOUND = CORE_INBOUNDS[0]!.remark;

/** Adds the core's inbounds to `sim` on `remembered` ports (free ones where unset) and returns the ports used. */
export async function seedCoreInbounds(sim: XuiSimulator, remembered: readonly number[]): Promise<number[]> {
  const ports: number[] = [];
  for (const [i, seed] of CORE_INBOUNDS.entries()) {
    const last = remembered[i] ?? 0;
    const port = last > 0 && (await isFree(last)) ? last : await freeLocalPort();
    sim.addInbound({ ...seed, port });
    ports.push(port);
  }
  return ports;
}

/** Whether 127.0.0.1:`port` can be bound now (something else may have taken a remembered port). */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** What `npm start` prints about the core: the inbounds that carry traffic, per panel. */
export function demoCoreLines(demo: DemoPanels, binary: string): string[] {
  const lines = [
    `  real proxy core: ${binary}; buy a plan, copy the share link from the subscription page into a client app on this machine`,
  ];
  for (const panel of demo.panels) {
    const served = (panel.sim.core?.inbounds() ?? [])
      .filter((inbound) => inbound.served)
      .map((inbound) => `${inbound.remark} 127.0.0.1:${inbound.port}`);
    lines.push(`    ${panel.name}: ${served.join(', ')} (other inbounds are API-only)`);
  }
  return lines;
}
