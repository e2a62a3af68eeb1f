/**
 * The panels that sell kinds besides Xray, each as a simulator with those kinds set up, an adapter pointed at it over
 * real HTTP, and a look at what the simulated panel holds for a WireGuard peer or a Telegram proxy client.
 */
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import { wireGuardKeyPairOf, type PanelAdapter, type RemoteTarget } from '@panelkit/sdk/adapter';
import type { ManualClock, PanelTestControls } from '@panelkit/sdk/testing';
import { createPasarGuardAdapter, createXuiAdapter } from '@panelkit/panel-adapters';
import { createPasarGuardSimulator, createXuiSimulator, type FetchHandler } from '@panelkit/panel-adapters/testing';

/** What the panel holds for one client of a kind, read from the simulator's own state. */
export interface HeldClient {
  /** The WireGuard peer's public key, or the MTProto client's whole secret (`ee` + core + hex domain). */
  credential: string;
  /** The peer addresses (WireGuard); empty for MTProto. */
  addresses: readonly string[];
  /** When the panel stops the client, ms epoch; `null` when never. */
  expiresAtMs: number | null;
}

/** A simulated panel with every control the kinds' tests use. */
export type KindSimulator = PanelTestControls &
  Required<Pick<PanelTestControls, 'fillPool' | 'peerAddresses' | 'canConnect'>> & {
    readonly handle: FetchHandler;
    /** The panel's own job that disables expired and depleted clients. */
    enforce(): unknown;
    releaseHangs(): void;
    readonly faults: { readonly size: number };
  };

/** One panel selling kinds, as the kinds' integration tests need it. */
export interface KindPanelRig {
  readonly label: string;
  readonly sim: KindSimulator;
  /** The non-Xray kinds this panel sells. */
  readonly kinds: readonly EntitlementKind[];
  /** The kinds of the bundle sold on this panel (Xray and every kind it sells). */
  readonly bundleKinds: readonly EntitlementKind[];
  adapter(origin: string, clock: ManualClock): PanelAdapter;
  /** The targets the shop stores: one serving Xray and one per sold kind (the others left out, so placement is known). */
  selectTargets(remote: readonly RemoteTarget[]): RemoteTarget[];
  /** What the panel holds for `username`, or `undefined` when it holds no such client. */
  held(username: string): HeldClient | undefined;
}

const PASSWORD = 'integration-kinds-panel-password-7c3e';
const XUI_BASE = '/kInDs7q2Lx/';
const connection = { timeoutMs: 1_000, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 } };
const TG_DOMAIN = 'cdn.example.org';

function pick(remote: readonly RemoteTarget[], test: (target: RemoteTarget) => boolean, what: string): RemoteTarget {
  const found = remote.find(test);
  if (found === undefined) throw new Error(`the panel lists no ${what} target`);
  return found;
}

function pasarguard(clock: ManualClock): KindPanelRig {
  const sim = createPasarGuardSimulator({
    clock,
    adminUsername: 'owner',
    adminPassword: PASSWORD,
    groups: [
      { name: 'Reality', inboundTags: ['VLESS TCP REALITY'], isDisabled: false },
      { name: 'WireGuard', inboundTags: ['wg0'], isDisabled: false },
    ],
    wireGuardCores: [
      {
        name: 'wg0',
        config: {
          interface_name: 'wg0',
          private_key: wireGuardKeyPairOf(Buffer.alloc(32, 11)).privateKey,
          pre_shared_key: Buffer.alloc(32, 12).toString('base64'),
          listen_port: 51820,
          address: ['10.9.0.1/24'],
        },
      },
    ],
  });
  return {
    label: 'pasarguard',
    sim,
    kinds: ['wireguard'],
    bundleKinds: ['xray', 'wireguard'],
    adapter: (origin, c) =>
      createPasarGuardAdapter({ baseUrl: origin, auth: { username: 'owner', password: PASSWORD }, clock: c, ...connection }),
    selectTargets: (remote) => [
      pick(remote, (t) => t.name === 'Reality', 'Reality'),
      pick(remote, (t) => t.name === 'WireGuard', 'WireGuard'),
    ],
    held(username) {
      const user = sim.user(username);
      if (user === undefined) return undefined;
      const wg = user.proxySettings.wireguard;
      return { credential: wg.public_key ?? '', addresses: wg.peer_ips, expiresAtMs: user.expire };
    },
  };
}

function xui36(clock: ManualClock): KindPanelRig {
  const sim = createXuiSimulator({ version: '3.6.x', clock, basePath: XUI_BASE, credentials: { username: 'admin', password: PASSWORD } });
  sim.seedDemo();
  const wg = sim.addInbound({
    remark: 'WG',
    protocol: 'wireguard',
    port: 51820,
    settings: { secretKey: Buffer.alloc(32, 13).toString('base64'), mtu: 1420 },
  });
  const tg = sim.addInbound({ remark: 'TG', protocol: 'mtproto', port: 9443, settings: { fakeTlsDomain: TG_DOMAIN } });
  return {
    label: '3x-ui v3.6',
    sim,
    kinds: ['wireguard', 'mtproto'],
    bundleKinds: ['xray', 'wireguard', 'mtproto'],
    adapter: (origin, c) =>
      createXuiAdapter({ baseUrl: `${origin}${XUI_BASE}`, auth: { username: 'admin', password: PASSWORD }, clock: c, ...connection }),
    selectTargets: (remote) => [
      pick(remote, (t) => t.protocol === 'vless', 'vless'),
      pick(remote, (t) => t.remoteRef === String(wg.id), 'WireGuard'),
      pick(remote, (t) => t.remoteRef === String(tg.id), 'MTProto'),
    ],
    held(username) {
      const client = sim.client(username);
      if (client === undefined) return undefined;
      const expiry = typeof client['expiryTime'] === 'number' ? client['expiryTime'] : 0;
      const secret = client['secret'];
      const ips = client['allowedIPs'];
      return {
        credential: typeof secret === 'string' ? secret : String(client['publicKey'] ?? ''),
        addresses: Array.isArray(ips) ? ips.map(String) : typeof ips === 'string' && ips !== '' ? ips.split(',') : [],
        expiresAtMs: expiry > 0 ? expiry : null,
      };
    },
  };
}

/** Every panel that sells a kind besides Xray, as the kinds' integration tests run them. */
export const KIND_PANELS: readonly { label: string; make: (clock: ManualClock) => KindPanelRig }[] = [
  { label: 'pasarguard', make: pasarguard },
  { label: '3x-ui v3.6', make: xui36 },
];
