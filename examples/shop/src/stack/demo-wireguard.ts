/**
 * The demo's WireGuard and Telegram proxy (`DEMO_WIREGUARD`, on by default): with the 3x-ui demo, one more simulated
 * 3x-ui, version 3.6 (WireGuard clients came in 3.4.2, per-client MTProto secrets in 3.5), in Frankfurt with a
 * WireGuard inbound and an MTProto inbound, and three plans: WireGuard, a Telegram proxy, and a bundle of Xray and
 * WireGuard. With the PasarGuard demo, the Frankfurt PasarGuard gets a WireGuard core and a group reaching only it,
 * and the WireGuard and bundle plans. API-only like the other demo panels: configs and proxies import, but no
 * WireGuard server or mtg answers behind them.
 */
import { randomBytes } from 'node:crypto';
import type { Panelkit, Plan, Target } from '@panelkit/sdk';
import { createXuiSimulator, type PasarGuardSimulator, type XuiSimulator } from '@panelkit/panel-adapters/testing';
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

/** The FakeTLS domain of the demo's MTProto inbound (its clients' secrets end in its hex). */
const TELEGRAM_FAKE_TLS_DOMAIN = 'www.cloudflare.com';

/** The simulated 3x-ui 3.6 with its WireGuard inbound and its MTProto inbound. */
export function createDemoWireGuardSim(options: {
  basePath: string;
  credentials: { username: string; password: string };
  clock: Clock;
  serverKey: string;
}): XuiSimulator {
  const sim = createXuiSimulator({ version: VERSION, basePath: options.basePath, credentials: options.credentials, clock: options.clock });
  sim.addInbound({ remark: 'WireGuard', protocol: 'wireguard', port: 51820, settings: { secretKey: options.serverKey, mtu: 1420 } });
  sim.addInbound({ remark: 'Telegram', protocol: 'mtproto', port: 8443, settings: { fakeTlsDomain: TELEGRAM_FAKE_TLS_DOMAIN } });
  return sim;
}

/** The PasarGuard demo's WireGuard core's tag (its `interface_name`), which the "WireGuard" group reaches alone. */
export const DEMO_PASARGUARD_WIREGUARD_CORE = 'wg0';

/**
 * Gives a demo PasarGuard WireGuard: the `wg0` core on 10.8.0.1/24 with the remembered server key, and a "WireGuard"
 * group reaching only it (after the default groups, so their ids stay 1 and 2), which target sync finds serving WireGuard.
 */
export function addDemoPasarGuardWireGuard(sim: PasarGuardSimulator, serverKey: string): void {
  const core = DEMO_PASARGUARD_WIREGUARD_CORE;
  sim.groups.push({ id: Math.max(0, ...sim.groups.map((g) => g.id)) + 1, name: 'WireGuard', inboundTags: [core], isDisabled: false });
  sim.addWireGuardCore({
    name: core,
    config: { interface_name: core, private_key: serverKey, listen_port: 51820, address: ['10.8.0.1/24'] },
  });
}

/** The demo's plans of kinds, with their names in the other languages; each only where a target serves its kinds. */
export async function createDemoKindPlans(
  kit: Panelkit,
  targets: { xray: Target | undefined; wireguard: Target | undefined; telegram?: Target | undefined },
  currency: string,
  actor: { type: 'system'; id: string },
): Promise<Array<{ plan: Plan; names: Record<string, string> }>> {
  const { xray, wireguard, telegram } = targets;
  const price = (amount: number) => ({ amount, currency });
  const allowedLocations = [DEMO_WIREGUARD_LOCATION.tag];
  const telegramPlans =
    telegram === undefined
      ? []
      : [
          {
            name: 'Frankfurt · Telegram proxy · 1 month',
            names: {
              fa: 'فرانکفورت · پراکسی تلگرام · یک ماه',
              ru: 'Франкфурт · прокси Telegram · 1 месяц',
              zh: '法兰克福 · Telegram 代理 · 1 个月',
            },
            family: 'fra-telegram',
            price: price(200),
            kinds: ['mtproto' as const],
            placement: { preferredTargetIds: [telegram.id], allowedLocations },
          },
        ];
  if (wireguard === undefined) return createAll(kit, telegramPlans, actor);
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
    ...telegramPlans,
  ];
  return createAll(kit, plans, actor);
}

/** A demo plan of kinds as `createDemoKindPlans` lists it: the plan's fields but its term, and its other names. */
type DemoKindPlan = Omit<Parameters<Panelkit['plans']['create']>[0], 'durationDays' | 'trafficBytes'> & {
  names: Record<string, string>;
};

/** Creates the plans, in order, for 30 days with no traffic cap. */
async function createAll(
  kit: Panelkit,
  plans: DemoKindPlan[],
  actor: { type: 'system'; id: string },
): Promise<Array<{ plan: Plan; names: Record<string, string> }>> {
  const created: Array<{ plan: Plan; names: Record<string, string> }> = [];
  for (const { names, ...plan } of plans)
    created.push({ plan: await kit.plans.create({ ...plan, durationDays: 30, trafficBytes: null }, actor), names });
  return created;
}
