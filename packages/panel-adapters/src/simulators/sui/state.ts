/**
 * The S-UI simulator's data and rules (alireza0/s-ui v1.2.0 … v1.5.1: `database/model/model.go`,
 * `service/client.go`, `service/inbounds.go`, `cronjob`), apart from the HTTP routes.
 * Times are unix seconds, traffic bytes, as the panel stores them.
 */

export interface SimSuiLink {
  type: string;
  remark?: string;
  uri: string;
}

/** A row of the `clients` table (every column, whatever the version shows). */
export interface SimSuiClient {
  id: number;
  enable: boolean;
  name: string;
  config: Record<string, Record<string, unknown>>;
  inbounds: number[];
  links: SimSuiLink[];
  volume: number;
  expiry: number;
  down: number;
  up: number;
  desc: string;
  group: string;
  remark: string;
  createdAt: number;
  onlineAt: number;
  delayStart: boolean;
  autoReset: boolean;
  resetDays: number;
  nextReset: number;
  totalUp: number;
  totalDown: number;
}

/** An inbound as the simulator needs it: enough for summaries and links. */
export interface SimSuiInbound {
  id: number;
  type: string;
  tag: string;
  listen: string;
  listenPort: number;
  tlsId: number;
  /** `addrs[0].server` when set; otherwise links use the API request's host. */
  address?: string;
  /** Shadowsocks method (`2022-blake3-aes-128-gcm` picks the `shadowsocks16` key). */
  method?: string;
  transport?: string;
  tls?: 'none' | 'tls' | 'reality';
}

/** The inbounds a new S-UI simulator has unless given others: VLESS Reality, Hysteria2, VMess over WebSocket, Trojan and Shadowsocks 2022. */
export const DEFAULT_SUI_INBOUNDS: readonly SimSuiInbound[] = [
  { id: 1, type: 'vless', tag: 'vless-443', listen: '::', listenPort: 443, tlsId: 1, tls: 'reality' },
  { id: 2, type: 'hysteria2', tag: 'hy2-8443', listen: '::', listenPort: 8443, tlsId: 2, tls: 'tls' },
  { id: 3, type: 'vmess', tag: 'vmess-ws', listen: '::', listenPort: 8080, tlsId: 0, transport: 'ws', tls: 'none' },
  { id: 4, type: 'trojan', tag: 'trojan-2083', listen: '::', listenPort: 2083, tlsId: 3, tls: 'tls' },
  { id: 5, type: 'shadowsocks', tag: 'ss-2022', listen: '::', listenPort: 1080, tlsId: 0, method: '2022-blake3-aes-256-gcm' },
];

/** Inbound types whose summaries carry `users` and that get links (`InboundTypeWithLink`). */
export const USER_TYPES: ReadonlySet<string> = new Set([
  'socks',
  'http',
  'mixed',
  'shadowsocks',
  'shadowtls',
  'naive',
  'hysteria',
  'hysteria2',
  'anytls',
  'tuic',
  'vless',
  'trojan',
  'vmess',
]);

/** `{major, minor}` of a version string such as `1.5.1` or `v1.4.0`. */
export function versionOf(version: string): { major: number; minor: number } {
  const found = /^v?(\d+)\.(\d+)/.exec(version);
  return { major: Number(found?.[1] ?? 1), minor: Number(found?.[2] ?? 5) };
}

const parsed = new Map<string, { major: number; minor: number }>();

export function atLeast(version: string, major: number, minor: number): boolean {
  let v = parsed.get(version);
  if (!v) parsed.set(version, (v = versionOf(version)));
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** The key of `config` an inbound reads its users from (`fetchUsers`). */
export function configKeyFor(inbound: SimSuiInbound): string {
  if (inbound.type === 'shadowsocks' && inbound.method === '2022-blake3-aes-128-gcm') return 'shadowsocks16';
  return inbound.type;
}

/**
 * `cronjob` every minute: first the start-on-first-use clients that have traffic get their
 * expiry (`ResetClients`), then expired or over-volume clients are disabled (`DepleteClients`).
 * Returns the names disabled.
 */
export function runEnforcement(clients: Iterable<SimSuiClient>, nowSeconds: number): string[] {
  const disabled: string[] = [];
  const all = [...clients];
  for (const client of all) {
    if (client.enable && client.delayStart && client.up + client.down > 0) {
      if (client.autoReset) client.nextReset = nowSeconds + client.resetDays * 86_400;
      else client.expiry = nowSeconds + client.resetDays * 86_400;
      client.delayStart = false;
    }
  }
  for (const client of all) {
    if (client.delayStart || !client.autoReset || client.nextReset >= nowSeconds) continue;
    client.nextReset = nowSeconds + client.resetDays * 86_400;
    client.totalUp += client.up;
    client.totalDown += client.down;
    client.up = 0;
    client.down = 0;
    client.enable = true;
  }
  for (const client of all) {
    const overVolume = client.volume > 0 && client.up + client.down > client.volume;
    const expired = client.expiry > 0 && client.expiry < nowSeconds;
    if (client.enable && (overVolume || expired)) {
      client.enable = false;
      disabled.push(client.name);
    }
  }
  return disabled;
}
