/**
 * One entry per panel kind (and 3x-ui API generation): its simulator, an adapter pointed at it
 * over real HTTP, and a look at what the simulated panel stores for a client, in the panel's own
 * units converted here (the assertions compare instants and bytes).
 */
import type { PanelAdapter, RemoteTarget } from '@panelkit/sdk/adapter';
import type { ManualClock, PanelSessionKind, PanelTestControls } from '@panelkit/sdk/testing';
import {
  createMarzbanAdapter,
  createMarzneshinAdapter,
  createRemnawaveAdapter,
  createPasarGuardAdapter,
  createSuiAdapter,
  createXuiAdapter,
} from '@panelkit/panel-adapters';
import {
  createMarzbanSimulator,
  createMarzneshinSimulator,
  createRemnawaveSimulator,
  createPasarGuardSimulator,
  createSuiSimulator,
  createXuiSimulator,
  type FetchHandler,
  type XuiQuirks,
} from '@panelkit/panel-adapters/testing';
import { proxyUuid } from '../../../../packages/panel-adapters/src/simulators/marzneshin/index.js';

/** A client as the simulated panel holds it. */
export interface StoredClient {
  /** When the panel will stop it, ms epoch; `null` when it never expires or has not started. */
  expiresAtMs: number | null;
  /** `null` is unlimited. */
  limitBytes: number | null;
  /** The credential the panel keys the client's proxies with (uuid, or the uuid as hex). */
  credential: string | null;
}

export interface SimulatedPanel extends PanelTestControls {
  readonly handle: FetchHandler;
  /** The panel's own job that disables expired and depleted clients. */
  enforce(): unknown;
  releaseHangs(): void;
  /** Injected faults; `size` counts those no request has met yet. */
  readonly faults: { readonly size: number };
}

export interface PanelKindRig {
  readonly label: string;
  readonly sim: SimulatedPanel;
  readonly sessionKind: PanelSessionKind;
  /** For a static token: the panel owner issues the adapter's token again (after `expireSession`). */
  restoreToken?(): void;
  /** An adapter for the simulator served at `origin`, with short timeouts and retries. */
  adapter(origin: string, clock: ManualClock): PanelAdapter;
  /** Where the shop puts its clients. */
  pickTarget(targets: readonly RemoteTarget[]): RemoteTarget;
  /** What the panel stores for `username` (the client the panel serves). */
  stored(username: string): StoredClient | undefined;
  /** Whether `credential` is the one derived for this identity uuid. */
  credentialOf(uuid: string): string;
  /** What the share links carry for this identity uuid, when not the uuid itself (Marzneshin hashes the key). */
  linkCredentialOf?(uuid: string): Promise<string>;
}

const PASSWORD = 'integration-panel-password-4f1d';
const TOKEN = 'integration-sui-token-9a8b7c6d5e4f';
const XUI_BASE = '/Zq8xT3kL0pV5/';
/** Short, so fault tests finish quickly; the engine's own retries (on the clock) do the long waiting. */
const connection = { timeoutMs: 1_000, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 } };

const vlessFirst = (targets: readonly RemoteTarget[]): RemoteTarget => {
  const found = targets.find((t) => t.protocol === 'vless') ?? targets[0];
  if (found === undefined) throw new Error('the panel offers no target');
  return found;
};
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

function xui(version: string, label: string, quirks: Partial<XuiQuirks> = {}): (clock: ManualClock) => PanelKindRig {
  return (clock) => {
    const sim = createXuiSimulator({ version, clock, basePath: XUI_BASE, credentials: { username: 'admin', password: PASSWORD }, quirks });
    sim.seedDemo();
    return {
      label,
      sim,
      sessionKind: 'login',
      adapter: (origin, c) =>
        createXuiAdapter({ baseUrl: `${origin}${XUI_BASE}`, auth: { username: 'admin', password: PASSWORD }, clock: c, ...connection }),
      pickTarget: vlessFirst,
      stored(username) {
        const client = sim.client(username);
        if (client === undefined) return undefined;
        const expiry = num(client['expiryTime']);
        const total = num(client['totalGB']);
        return {
          expiresAtMs: expiry > 0 ? expiry : null,
          limitBytes: total > 0 ? total : null,
          credential: typeof client['id'] === 'string' ? client['id'] : null,
        };
      },
      credentialOf: (uuid) => uuid,
    };
  };
}

function sui(clock: ManualClock): PanelKindRig {
  const sim = createSuiSimulator({ clock, token: TOKEN, webPath: '/app/' });
  return {
    label: 's-ui 1.5',
    sim,
    sessionKind: 'static-token',
    restoreToken: () => void sim.addToken(TOKEN),
    adapter: (origin) => createSuiAdapter({ baseUrl: `${origin}/app/`, auth: { token: TOKEN }, ...connection }),
    pickTarget: vlessFirst,
    stored(username) {
      const client = sim.client(username);
      if (client === undefined) return undefined;
      const uuid = client.config['vless']?.['uuid'];
      return {
        expiresAtMs: client.expiry > 0 ? client.expiry * 1000 : null,
        limitBytes: client.volume > 0 ? client.volume : null,
        credential: typeof uuid === 'string' ? uuid : null,
      };
    },
    credentialOf: (uuid) => uuid,
  };
}

function marzban(clock: ManualClock): PanelKindRig {
  const sim = createMarzbanSimulator({ clock, adminUsername: 'owner', adminPassword: PASSWORD });
  return {
    label: 'marzban 0.8',
    sim,
    sessionKind: 'login',
    adapter: (origin, c) =>
      createMarzbanAdapter({ baseUrl: origin, auth: { username: 'owner', password: PASSWORD }, clock: c, ...connection }),
    pickTarget: (targets) => targets.find((t) => t.remoteRef === 'VLESS TCP REALITY') ?? vlessFirst(targets),
    stored(username) {
      const user = sim.user(username);
      if (user === undefined) return undefined;
      return {
        expiresAtMs: user.expire ? user.expire * 1000 : null,
        limitBytes: user.dataLimit || null,
        credential: user.proxies.vless?.id ?? null,
      };
    },
    credentialOf: (uuid) => uuid,
  };
}

function marzneshin(clock: ManualClock): PanelKindRig {
  const sim = createMarzneshinSimulator({ clock, adminUsername: 'owner', adminPassword: PASSWORD });
  return {
    label: 'marzneshin',
    sim,
    sessionKind: 'login',
    adapter: (origin, c) =>
      createMarzneshinAdapter({ baseUrl: origin, auth: { username: 'owner', password: PASSWORD }, clock: c, ...connection }),
    pickTarget: (targets) => targets[0] ?? vlessFirst(targets),
    stored(username) {
      const user = sim.user(username);
      if (user === undefined || user.removed) return undefined;
      return {
        expiresAtMs: user.expireStrategy === 'fixed_date' ? user.expireDate : null,
        limitBytes: user.dataLimit || null,
        credential: user.key,
      };
    },
    credentialOf: (uuid) => uuid.replaceAll('-', ''),
    linkCredentialOf: (uuid) => proxyUuid(uuid.replaceAll('-', '')),
  };
}

function remnawave(clock: ManualClock): PanelKindRig {
  const token = 'integration-remnawave-api-token-1c2d';
  const sim = createRemnawaveSimulator({ clock, apiToken: token });
  return {
    label: 'remnawave',
    sim,
    sessionKind: 'static-token',
    restoreToken: () => void sim.addToken(token),
    adapter: (origin) => createRemnawaveAdapter({ baseUrl: origin, auth: { token }, ...connection }),
    pickTarget: (targets) => targets.find((t) => t.name === 'Default-Squad') ?? vlessFirst(targets),
    stored(username) {
      const user = sim.byName(username);
      if (user === undefined) return undefined;
      return {
        // The panel's "never" is a date in 2099.
        expiresAtMs: new Date(user.expireAt).getUTCFullYear() >= 2099 ? null : user.expireAt,
        limitBytes: user.trafficLimitBytes || null,
        credential: user.vlessUuid,
      };
    },
    credentialOf: (uuid) => uuid,
  };
}

function pasarguard(clock: ManualClock): PanelKindRig {
  const sim = createPasarGuardSimulator({ clock, adminUsername: 'owner', adminPassword: PASSWORD });
  return {
    label: 'pasarguard',
    sim,
    sessionKind: 'login',
    adapter: (origin, c) =>
      createPasarGuardAdapter({ baseUrl: origin, auth: { username: 'owner', password: PASSWORD }, clock: c, ...connection }),
    pickTarget: (targets) => targets.find((t) => t.name === 'All inbounds') ?? vlessFirst(targets),
    stored(username) {
      const user = sim.user(username);
      if (user === undefined) return undefined;
      return { expiresAtMs: user.expire, limitBytes: user.dataLimit || null, credential: user.proxySettings.vless.id };
    },
    credentialOf: (uuid) => uuid,
  };
}

/** Every kind the engine is proved against. */
export const PANEL_KINDS: readonly { label: string; make: (clock: ManualClock) => PanelKindRig }[] = [
  { label: '3x-ui v2.8 (Gen A)', make: xui('2.8.x', '3x-ui v2.8 (Gen A)') },
  { label: '3x-ui v3.6 (Gen B)', make: xui('3.6.x', '3x-ui v3.6 (Gen B)') },
  { label: 's-ui 1.5', make: sui },
  { label: 'marzban 0.8', make: marzban },
  { label: 'marzneshin', make: marzneshin },
  { label: 'remnawave', make: remnawave },
  { label: 'pasarguard', make: pasarguard },
];

/**
 * 3x-ui v2.8 (Gen A) whose simulator behaves as the real panel under concurrent writes: each client
 * write reads the inbound's settings, waits, and writes them back whole, so overlapping writes lose
 * clients. Its label is Gen A's, so replica processes build the same adapter. Not in `PANEL_KINDS`.
 */
export const CLOBBERING_XUI_GEN_A = {
  label: '3x-ui v2.8 (Gen A)',
  make: xui('2.8.x', '3x-ui v2.8 (Gen A)', { clobberConcurrentWrites: true, writeDelayMs: 150 }),
} as const;
