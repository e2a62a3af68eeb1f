import { PanelNameTakenError, type Clock, type Panel, type Panelkit, type Plan, type Target } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import {
  createPasarGuardSimulator,
  createXuiSimulator,
  serveOnLocalhost,
  type PasarGuardSimulator,
  type RunningSimulator,
  type XuiSimulator,
} from '@panelkit/panel-adapters/testing';
import { DEMO_TRAFFIC_INTERVAL_MS, isLiveInbound, LIVE_PLAN_INBOUND, seedCoreInbounds } from './demo-core.js';
import {
  addDemoPasarGuardWireGuard,
  createDemoKindPlans,
  createDemoWireGuardSim,
  DEMO_WIREGUARD_LOCATION,
  type DemoWireGuardSecrets,
  newServerKey,
} from './demo-wireguard.js';
import { randomSecret, remembered, rememberedUpdate } from './data-folder.js';
import { savePlanTexts, type PlanTextDb, type PlanTexts } from '../db/plan-texts.js';
import type { Locale } from '../i18n/locales.js';

export const GiB = 1024 ** 3;

/** The demo in the audit log: its panels and plans are written by the kit, audited as an admin's are. */
const DEMO_ACTOR = { type: 'system' as const, id: 'demo' };

/** One simulated 3x-ui server per location, so the catalog has something to group. */
const LOCATIONS = [
  { key: 'fra', name: 'Frankfurt', tag: 'de' },
  { key: 'ams', name: 'Amsterdam', tag: 'nl' },
] as const;

/**
 * What the data folder keeps of a simulated panel: where it listens. Its login is not kept here: it is
 * read back from the panel's sealed credentials in the database (files of older versions held a
 * `password`; it is used once, then dropped from the file).
 */
interface DemoPanelFile {
  username: string;
  password?: string;
  basePath: string;
  ports: { panel: number; subscription: number; core?: number[] };
}

/** The panel kinds the demo can simulate (`DEMO_PANEL_KIND`). */
export type DemoPanelKind = '3x-ui' | 'pasarguard';

/** A simulated panel as `npm start` lists it: kind, name, URL and login. */
export interface DemoPanelInfo {
  readonly kind: DemoPanelKind;
  readonly name: string;
  readonly url: string;
  readonly login: { username: string; password: string };
}

/** A simulated PasarGuard of the demo (`DEMO_PANEL_KIND=pasarguard`). */
export interface DemoPasarGuard extends DemoPanelInfo {
  readonly tag: string;
  readonly sim: PasarGuardSimulator;
  readonly panel: Panel;
}

/** A simulated 3x-ui panel of the demo. */
export interface DemoPanel extends DemoPanelInfo {
  readonly tag: string;
  readonly sim: XuiSimulator;
  readonly panel: Panel;
  readonly url: string;
  readonly login: { username: string; password: string };
}

export interface DemoPanels {
  /** The simulated 3x-ui panels (none when the demo simulates PasarGuard). */
  readonly panels: DemoPanel[];
  /** The simulated PasarGuards (`DEMO_PANEL_KIND=pasarguard`), else none. */
  readonly pasarGuards: DemoPasarGuard[];
  /** Every simulated panel, for the start-up text. */
  readonly simulated: readonly DemoPanelInfo[];
  close(): Promise<void>;
}

/** Listens on the port used last time when it is free, so stored links stay valid across restarts. */
async function serveOnRememberedPort(handler: XuiSimulator['handle'], port: number): Promise<RunningSimulator> {
  if (port > 0) {
    try {
      return await serveOnLocalhost(handler, { port });
    } catch {
      // Taken by something else now: any free port, and the panel record follows it.
    }
  }
  return serveOnLocalhost(handler);
}

/**
 * Starts the demo's simulated 3x-ui panels (version 2.8, API generation A) on 127.0.0.1 with the
 * same login, base path and ports as last time, registers them as panels with their targets, and
 * adds the demo plans on first start. A restarted simulator is empty, so the caller runs a
 * repairing reconciliation to recreate the clients the shop sold (see `openShop`).
 */
export async function startDemoPanels(deps: {
  storage: StoragePort;
  clock: Clock;
  dataDir: string | null;
  currency: string;
  /** The engine, whose adapters sync the panels' inbounds as targets. */
  kit: Panelkit;
  /** The proxy core binary the panels drive (`DEMO_CORE`), or null for API-only panels. */
  core?: string | null;
  /** Where the demo plans' Farsi names go (the shop's plan texts). */
  planTexts: PlanTextDb;
  /** Which panel to simulate (`DEMO_PANEL_KIND`). Default `3x-ui`. */
  kind?: DemoPanelKind;
  /** Whether the demo sells WireGuard and a Telegram proxy (`DEMO_WIREGUARD`, see `demo-wireguard.ts`). Default off. */
  wireGuard?: boolean;
}): Promise<DemoPanels> {
  if ((deps.kind ?? '3x-ui') === 'pasarguard') return startDemoPasarGuards(deps);
  const servers: RunningSimulator[] = [];
  const panels: DemoPanel[] = [];
  const close = async () => {
    for (const demo of panels) await demo.sim.core?.stop();
    for (const server of servers.splice(0)) await server.close();
  };
  const core = deps.core ?? null;
  try {
    for (const location of LOCATIONS) {
      const fileName = `demo-panel-${location.key}.json`;
      const { password: legacyPassword, ...saved } = remembered<DemoPanelFile>(deps.dataDir, fileName, () => ({
        username: 'admin',
        basePath: `/${randomSecret(9)}/`,
        ports: { panel: 0, subscription: 0 },
      }));
      const stored = (await deps.storage.panels.list()).find((p) => p.name === panelName(location.name))?.credentials;
      const login = {
        username: saved.username,
        password: stored?.type === 'password' ? stored.password : (legacyPassword ?? randomSecret(12)),
      };
      const sim = createXuiSimulator({
        version: '2.8.x',
        basePath: saved.basePath,
        credentials: login,
        clock: deps.clock,
        ...(core === null ? {} : { core: { binary: core, trafficIntervalMs: DEMO_TRAFFIC_INTERVAL_MS, serve: isLiveInbound } }),
      });
      sim.seedDemo();
      const corePorts = core === null ? undefined : await seedCoreInbounds(sim, saved.ports.core ?? []);
      const server = await serveOnRememberedPort(sim.handle, saved.ports.panel);
      servers.push(server);
      const subServer = await serveOnRememberedPort(sim.subscriptionService({ path: '/sub/' }), saved.ports.subscription);
      servers.push(subServer);
      const ports = { panel: Number(new URL(server.origin).port), subscription: Number(new URL(subServer.origin).port) };
      rememberedUpdate(deps.dataDir, fileName, { ...saved, ports: { ...ports, ...(corePorts === undefined ? {} : { core: corePorts }) } });

      const url = `${server.origin}${saved.basePath}`;
      const panel = await registerPanel(deps, {
        kind: '3x-ui',
        name: panelName(location.name),
        tag: location.tag,
        url,
        login,
        subscriptionBaseUrl: `${subServer.origin}/sub/`,
      });
      panels.push({ name: location.name, tag: location.tag, kind: '3x-ui', sim, panel, url, login });
      await sim.core?.start();
    }
    const wireGuard = deps.wireGuard === true ? await startWireGuardPanel(deps, servers) : null;
    if ((await deps.storage.plans.list()).length === 0) {
      let frankfurtXray: Target | undefined;
      for (const demo of panels) {
        const targets = await deps.kit.targets.sync(demo.panel.id, {
          capacity: 500,
          actor: DEMO_ACTOR,
          signal: AbortSignal.timeout(15_000),
        });
        const preferred = preferredTarget(targets.added, core !== null);
        if (demo.tag === DEMO_WIREGUARD_LOCATION.tag) frankfurtXray = preferred;
        const plans = await createDemoPlans(deps.kit, demo, preferred, deps.currency);
        for (const { plan, names } of plans) await savePlanTexts(deps.planTexts, plan.id, demoPlanTexts(names));
      }
      if (wireGuard !== null) {
        const synced = await deps.kit.targets.sync(wireGuard.panel.id, {
          capacity: 250,
          actor: DEMO_ACTOR,
          signal: AbortSignal.timeout(15_000),
        });
        const served = (kind: 'wireguard' | 'mtproto') => synced.added.find((t) => t.kinds.includes(kind));
        const kindTargets = { xray: frankfurtXray, wireguard: served('wireguard'), telegram: served('mtproto') };
        const plans = await createDemoKindPlans(deps.kit, kindTargets, deps.currency, DEMO_ACTOR);
        for (const { plan, names } of plans) await savePlanTexts(deps.planTexts, plan.id, demoPlanTexts(names));
      }
    }
    if (wireGuard !== null) panels.push(wireGuard);
    return { panels, pasarGuards: [], simulated: panels, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What the data folder keeps of the WireGuard panel: a 3x-ui panel's fields and the server key. */
type DemoWireGuardFile = DemoPanelFile & DemoWireGuardSecrets;

/** Starts and registers the demo's WireGuard panel (`demo-wireguard.ts`), on its remembered port, base path and key. */
async function startWireGuardPanel(deps: Parameters<typeof startDemoPanels>[0], servers: RunningSimulator[]): Promise<DemoPanel> {
  const fileName = 'demo-panel-wireguard.json';
  const saved = remembered<DemoWireGuardFile>(deps.dataDir, fileName, () => ({
    username: 'admin',
    basePath: `/${randomSecret(9)}/`,
    ports: { panel: 0, subscription: 0 },
    ...newServerKey(),
  }));
  const name = panelName(DEMO_WIREGUARD_LOCATION.name);
  const stored = (await deps.storage.panels.list()).find((p) => p.name === name)?.credentials;
  const login = { username: saved.username, password: stored?.type === 'password' ? stored.password : randomSecret(12) };
  const sim = createDemoWireGuardSim({ basePath: saved.basePath, credentials: login, clock: deps.clock, serverKey: saved.serverKey });
  const server = await serveOnRememberedPort(sim.handle, saved.ports.panel);
  servers.push(server);
  const subServer = await serveOnRememberedPort(sim.subscriptionService({ path: '/sub/' }), saved.ports.subscription);
  servers.push(subServer);
  const ports = { panel: Number(new URL(server.origin).port), subscription: Number(new URL(subServer.origin).port) };
  rememberedUpdate(deps.dataDir, fileName, { ...saved, ports });
  const url = `${server.origin}${saved.basePath}`;
  const { tag } = DEMO_WIREGUARD_LOCATION;
  const panel = await registerPanel(deps, { kind: '3x-ui', name, tag, url, login, subscriptionBaseUrl: `${subServer.origin}/sub/` });
  return { name: DEMO_WIREGUARD_LOCATION.name, tag, kind: '3x-ui', sim, panel, url, login };
}

/** The stored panel's name for a demo location. */
function panelName(locationName: string): string {
  return `${locationName} (simulated 3x-ui)`;
}

/** Adds the demo panel through the kit, or points the stored one at where its simulator listens now. */
async function registerPanel(
  deps: { storage: StoragePort; kit: Panelkit },
  demo: {
    kind: DemoPanelKind;
    name: string;
    tag: string;
    url: string;
    login: { username: string; password: string };
    subscriptionBaseUrl: string;
  },
): Promise<Panel> {
  const fields = {
    baseUrl: demo.url,
    credentials: { type: 'password' as const, ...demo.login },
    options: { subscriptionBaseUrl: demo.subscriptionBaseUrl },
  };
  const stored = async () => (await deps.storage.panels.list()).find((p) => p.name === demo.name);
  let existing = await stored();
  if (existing === undefined) {
    try {
      return await deps.kit.panels.add({ kind: demo.kind, name: demo.name, locationTags: [demo.tag], ...fields }, DEMO_ACTOR);
    } catch (error) {
      // Another process starting beside this one added it (names are unique): point that one here.
      existing = PanelNameTakenError.is(error) ? await stored() : undefined;
      if (existing === undefined) throw error;
    }
  }
  if (existing.baseUrl === fields.baseUrl && existing.options['subscriptionBaseUrl'] === demo.subscriptionBaseUrl) return existing;
  return deps.kit.panels.update(existing.id, fields, DEMO_ACTOR);
}

/** The target the demo plans sell: the core's live inbound when it runs, else a VLESS one, or a PasarGuard group of every inbound. */
function preferredTarget(targets: Target[], live: boolean): Target | undefined {
  const served = live ? targets.find((t) => t.name === LIVE_PLAN_INBOUND) : undefined;
  return served ?? targets.find((t) => t.protocol === 'vless') ?? targets.find((t) => t.name === 'All inbounds') ?? targets[0];
}

/** The demo plans of one location, each with its name for Farsi buyers (the plan's own name is English). */
/** A demo plan's name in each language besides English (the plan's own name). */
type DemoPlanNames = Partial<Record<Locale, string>>;

function demoPlanTexts(names: DemoPlanNames): PlanTexts {
  return Object.fromEntries(Object.entries(names).map(([locale, name]) => [locale, { name, description: null }]));
}

async function createDemoPlans(
  kit: Panelkit,
  demo: { tag: string },
  preferred: Target | undefined,
  currency: string,
): Promise<Array<{ plan: Plan; names: DemoPlanNames }>> {
  if (preferred === undefined) return [];
  const placement = { preferredTargetIds: [preferred.id], allowedLocations: [demo.tag] };
  const price = (amount: number) => ({ amount, currency });
  const plans =
    demo.tag === 'de'
      ? [
          {
            name: 'Frankfurt · 1 month · 50 GiB',
            names: { fa: 'فرانکفورت · یک ماه · ۵۰ گیگابایت', ru: 'Франкфурт · 1 месяц · 50 GiB', zh: '法兰克福 · 1 个月 · 50 GiB' },
            family: 'fra-standard',
            price: price(500),
            durationDays: 30,
            trafficBytes: 50 * GiB,
            trial: { days: 1, trafficBytes: 1 * GiB },
            trafficTopUp: { pricePerGiB: price(10), maxGiBPerPurchase: 100 },
          },
          {
            name: 'Frankfurt · 3 months · 200 GiB',
            names: { fa: 'فرانکفورت · سه ماه · ۲۰۰ گیگابایت', ru: 'Франкфурт · 3 месяца · 200 GiB', zh: '法兰克福 · 3 个月 · 200 GiB' },
            family: 'fra-standard',
            price: price(1300),
            durationDays: 90,
            trafficBytes: 200 * GiB,
          },
          {
            name: 'Frankfurt · 1 month · unlimited',
            names: { fa: 'فرانکفورت · یک ماه · نامحدود', ru: 'Франкфурт · 1 месяц · безлимит', zh: '法兰克福 · 1 个月 · 不限流量' },
            family: 'fra-unlimited',
            price: price(900),
            durationDays: 30,
            trafficBytes: null,
            deviceLimit: 2,
            devicePack: { pricePer30Days: price(150), maxExtraDevices: 3 },
          },
        ]
      : [
          {
            name: 'Amsterdam · 1 month · 100 GiB',
            names: { fa: 'آمستردام · یک ماه · ۱۰۰ گیگابایت', ru: 'Амстердам · 1 месяц · 100 GiB', zh: '阿姆斯特丹 · 1 个月 · 100 GiB' },
            family: 'ams-standard',
            price: price(600),
            durationDays: 30,
            trafficBytes: 100 * GiB,
            trafficTopUp: { pricePerGiB: price(8), maxGiBPerPurchase: 200 },
          },
          {
            name: 'Amsterdam · starts on first use · 20 GiB',
            names: {
              fa: 'آمستردام · از اولین اتصال · ۲۰ گیگابایت',
              ru: 'Амстердам · с первого подключения · 20 GiB',
              zh: '阿姆斯特丹 · 首次连接起算 · 20 GiB',
            },
            family: 'ams-flex',
            price: price(300),
            durationDays: 30,
            trafficBytes: 20 * GiB,
            startOnFirstUse: true,
          },
        ];
  const created: Array<{ plan: Plan; names: DemoPlanNames }> = [];
  for (const { names, ...plan } of plans) created.push({ plan: await kit.plans.create({ ...plan, placement }, DEMO_ACTOR), names });
  return created;
}

/** What the data folder keeps of a simulated PasarGuard: its admin and port (the password is sealed in the database). */
interface DemoPasarGuardFile {
  username: string;
  port: number;
  /** The Frankfurt panel's WireGuard core's private key (`DEMO_WIREGUARD`), kept so sold configs keep their server key. */
  wireGuardKey?: string;
}

/**
 * `DEMO_PANEL_KIND=pasarguard`: one simulated PasarGuard per location on 127.0.0.1 (API and
 * subscriptions on one port, as the panel serves them), registered as `pasarguard` panels, with the
 * demo plans on their "All inbounds" group. API-only: no proxy core behind them.
 */
async function startDemoPasarGuards(deps: Parameters<typeof startDemoPanels>[0]): Promise<DemoPanels> {
  const servers: RunningSimulator[] = [];
  const panels: DemoPasarGuard[] = [];
  const close = async () => {
    for (const server of servers.splice(0)) await server.close();
  };
  try {
    for (const location of LOCATIONS) {
      const fileName = `demo-pasarguard-${location.key}.json`;
      const sellsWireGuard = deps.wireGuard === true && location.tag === DEMO_WIREGUARD_LOCATION.tag;
      const first = remembered<DemoPasarGuardFile>(deps.dataDir, fileName, () => ({ username: 'admin', port: 0 }));
      const saved = sellsWireGuard && first.wireGuardKey === undefined ? { ...first, wireGuardKey: newServerKey().serverKey } : first;
      const name = `${location.name} (simulated PasarGuard)`;
      const stored = (await deps.storage.panels.list()).find((p) => p.name === name)?.credentials;
      const login = { username: saved.username, password: stored?.type === 'password' ? stored.password : randomSecret(12) };
      const sim = createPasarGuardSimulator({ clock: deps.clock, adminUsername: login.username, adminPassword: login.password });
      if (sellsWireGuard && saved.wireGuardKey !== undefined) addDemoPasarGuardWireGuard(sim, saved.wireGuardKey);
      const server = await serveOnRememberedPort(sim.handle, saved.port);
      servers.push(server);
      rememberedUpdate(deps.dataDir, fileName, { ...saved, port: Number(new URL(server.origin).port) });
      const panel = await registerPanel(deps, {
        kind: 'pasarguard',
        name,
        tag: location.tag,
        url: server.origin,
        login,
        subscriptionBaseUrl: server.origin,
      });
      panels.push({ name: location.name, tag: location.tag, kind: 'pasarguard', sim, panel, url: server.origin, login });
    }
    if ((await deps.storage.plans.list()).length === 0) {
      for (const demo of panels) {
        const targets = await deps.kit.targets.sync(demo.panel.id, {
          capacity: 500,
          actor: DEMO_ACTOR,
          signal: AbortSignal.timeout(15_000),
        });
        const preferred = preferredTarget(targets.added, false);
        const plans = await createDemoPlans(deps.kit, demo, preferred, deps.currency);
        // The Frankfurt panel's WireGuard group (`DEMO_WIREGUARD`): a WireGuard plan and an Xray + WireGuard bundle.
        const wireguard = targets.added.find((t) => t.kinds.includes('wireguard'));
        if (wireguard !== undefined)
          plans.push(...(await createDemoKindPlans(deps.kit, { xray: preferred, wireguard }, deps.currency, DEMO_ACTOR)));
        for (const { plan, names } of plans) await savePlanTexts(deps.planTexts, plan.id, demoPlanTexts(names));
      }
    }
    return { panels: [], pasarGuards: panels, simulated: panels, close };
  } catch (error) {
    await close();
    throw error;
  }
}
