/**
 * The demo's WireGuard (`DEMO_WIREGUARD`, on by default with the 3x-ui demo): one more simulated 3x-ui, version 3.6
 * (WireGuard clients came in 3.4.2), in Frankfurt with a single WireGuard inbound, and two plans that sell it: a
 * WireGuard plan and a bundle of Xray and WireGuard. API-only like the other demo panels: its configs import, but no
 * WireGuard server answers behind them.
 */
import { randomBytes } from 'node:crypto';
import type { Panelkit, Plan, Target } from '@panelkit/sdk';
import { createXuiSimulator, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import type { Clock } from '@panelkit/sdk';

/** The location the WireGuard panel serves (the Frankfurt panel's tag: its plans sit in the same catalogue group). */
export const DEMO_WIREGUARD_LOCATION = { key: 'fra-wg', name: 'Frankfurt WireGuard', tag: 'de' } as const;

/** The simulated version: the first line with WireGuard clients and a widening address pool. */
const VERSION = '3.6.x';

/** What the data folder keeps of the WireGuard panel besides the common fields: the server's private key. */
export interface DemoWireGuardSecrets {
  /** The inbound's private key (base64), kept so configs sold before a restart still name the same server key. */
  serverKey: string;
}

/** A new server key for a first start. */
export function newServerKey(): DemoWireGuardSecrets {
  return { serverKey: randomBytes(32).toString('base64') };
}

/** The simulated 3x-ui 3.6 with its one WireGuard inbound. */
export function createDemoWireGuardSim(options: {
  basePath: string;
  credentials: { username: string; password: string };
  clock: Clock;
  serverKey: string;
}): XuiSimulator {
  const sim = createXuiSimulator({ version: VERSION, basePath: options.basePath, credentials: options.credentials, clock: options.clock });
  sim.addInbound({ remark: 'WireGuard', protocol: 'wireguard', port: 51820, settings: { secretKey: options.serverKey, mtu: 1420 } });
  return sim;
}

/** The demo's plans of kinds, with their names in the other languages. */
export async function createDemoKindPlans(
  kit: Panelkit,
  targets: { xray: Target | undefined; wireguard: Target | undefined },
  currency: string,
  actor: { type: 'system'; id: string },
): Promise<Array<{ plan: Plan; names: Record<string, string> }>> {
  const { xray, wireguard } = targets;
  if (wireguard === undefined) return [];
  const price = (amount: number) => ({ amount, currency });
  const allowedLocations = [DEMO_WIREGUARD_LOCATION.tag];
  const plans = [
    {
      name: 'Frankfurt · WireGuard · 1 month',
      names: { fa: 'فرانکفورت · WireGuard · یک ماه', ru: 'Франкфурт · WireGuard · 1 месяц', zh: '法兰克福 · WireGuard · 1 个月' },
      family: 'fra-wireguard',
      price: price(400),
      kinds: ['wireguard' as const],
      placement: { preferredTargetIds: [wireguard.id], allowedLocations },
    },
    ...(xray === undefined
      ? []
      : [
          {
            name: 'Frankfurt · Xray + WireGuard · 1 month',
            names: {
              fa: 'فرانکفورت · Xray و WireGuard · یک ماه',
              ru: 'Франкфурт · Xray + WireGuard · 1 месяц',
              zh: '法兰克福 · Xray + WireGuard · 1 个月',
            },
            family: 'fra-bundle',
            price: price(800),
            kinds: ['xray' as const, 'wireguard' as const],
            placement: { preferredTargetIds: [xray.id, wireguard.id], allowedLocations },
          },
        ]),
  ];
  const created: Array<{ plan: Plan; names: Record<string, string> }> = [];
  for (const { names, ...plan } of plans)
    created.push({ plan: await kit.plans.create({ ...plan, durationDays: 30, trafficBytes: null }, actor), names });
  return created;
}
