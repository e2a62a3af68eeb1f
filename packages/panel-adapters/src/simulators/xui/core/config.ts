/**
 * The core's JSON config, made from the simulated panel's inbounds and clients the way 3x-ui's
 * `GetXrayConfig` makes Xray's: each enabled inbound with its enabled clients whose traffic row is
 * still enabled (depleted and expired clients leave the config), per-user stats on, and the stats
 * API on a loopback port of its own. Only what v2ray 4.34 can run is put in: VLESS, VMess, Trojan
 * and Shadowsocks (legacy AEAD ciphers, one user per inbound) over tcp or ws without TLS/REALITY.
 * Every other inbound stays API-only, and `inbounds` says why.
 */
import { key, text, type RawClient, type SimInbound, type XuiState } from '../state.js';

/** Whether the core serves an inbound, and why not when it does not. */
export interface CoreInboundStatus {
  readonly inboundId: number;
  readonly remark: string;
  readonly port: number;
  /** True when the inbound is in the core's config (it may still hold no client). */
  readonly served: boolean;
  /** Why the inbound stays API-only (`served` false), or why it is served without some clients. */
  readonly reason?: string;
}

/** The config to run and what it serves. */
export interface CoreConfig {
  readonly json: Record<string, unknown>;
  readonly inbounds: readonly CoreInboundStatus[];
  /** Loopback ports the config listens on (inbounds and the API), to wait for after a start. */
  readonly ports: readonly number[];
}

/** Shadowsocks ciphers v2ray 4.34 implements (no SIP022 `2022-blake3-*`). */
const SS_METHODS = new Set(['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305', 'chacha20-ietf-poly1305', 'none', 'plain']);
const API_TAG = 'api';

/** The clients of `inbound` that may connect now: switched on by the admin and not disabled by the traffic job. */
export function servedClients(state: XuiState, inbound: SimInbound): RawClient[] {
  return state.clientsOf(inbound).filter((client) => {
    if (client.enable === false) return false;
    return state.traffic.get(key(text(client.email)))?.enable !== false;
  });
}

/**
 * Builds the config for `state` with the stats API on `apiPort`; `serve` picks the inbounds the core
 * may run (default all), the others stay API-only.
 */
export function buildCoreConfig(state: XuiState, apiPort: number, serve: (inbound: SimInbound) => boolean = () => true): CoreConfig {
  const inbounds: Record<string, unknown>[] = [];
  const statuses: CoreInboundStatus[] = [];
  for (const inbound of state.inbounds.values()) {
    const base = { inboundId: inbound.id, remark: inbound.remark, port: inbound.port };
    if (!inbound.enable) {
      statuses.push({ ...base, served: false, reason: 'the inbound is disabled' });
      continue;
    }
    if (!serve(inbound)) {
      statuses.push({ ...base, served: false, reason: 'left out of the core by its `serve` option: API-only' });
      continue;
    }
    const stream = streamSettings(inbound);
    if (typeof stream === 'string') {
      statuses.push({ ...base, served: false, reason: stream });
      continue;
    }
    const settings = protocolSettings(inbound, servedClients(state, inbound));
    if (typeof settings === 'string') {
      statuses.push({ ...base, served: false, reason: settings });
      continue;
    }
    if (settings === null) {
      // A single-user inbound with its user switched off: nothing listens, so connections are refused.
      statuses.push({ ...base, served: true, reason: 'no enabled client: the port is closed' });
      continue;
    }
    inbounds.push({
      tag: inbound.tag,
      listen: listenAddress(inbound),
      port: inbound.port,
      protocol: inbound.protocol,
      settings,
      streamSettings: stream,
    });
    statuses.push({ ...base, served: true });
  }
  inbounds.push({ tag: API_TAG, listen: '127.0.0.1', port: apiPort, protocol: 'dokodemo-door', settings: { address: '127.0.0.1' } });
  const json = {
    log: { loglevel: 'warning' },
    api: { tag: API_TAG, services: ['StatsService'] },
    stats: {},
    policy: {
      levels: { '0': { statsUserUplink: true, statsUserDownlink: true } },
      system: { statsInboundUplink: true, statsInboundDownlink: true },
    },
    inbounds,
    outbounds: [{ tag: 'direct', protocol: 'freedom', settings: {} }],
    routing: { rules: [{ type: 'field', inboundTag: [API_TAG], outboundTag: API_TAG }] },
  };
  const ports = [...inbounds.map((i) => i.port as number)];
  return { json, inbounds: statuses, ports };
}

/** 3x-ui binds inbounds to `listen` or all interfaces; the simulated core binds loopback only. */
function listenAddress(inbound: SimInbound): string {
  return inbound.listen === '' || inbound.listen === '0.0.0.0' || inbound.listen === '::' ? '127.0.0.1' : inbound.listen;
}

function streamSettings(inbound: SimInbound): Record<string, unknown> | string {
  const stream = inbound.streamSettings;
  const network = text(stream.network) || 'tcp';
  const security = text(stream.security) || 'none';
  if (security !== 'none') return `v2ray 4.34 cannot run ${security} here (no certificates / no REALITY): API-only`;
  if (network === 'tcp') {
    const header = (stream.tcpSettings as { header?: { type?: unknown } } | undefined)?.header?.type;
    if (header !== undefined && header !== 'none') return `tcp header "${String(header)}" is not run by the core: API-only`;
    return { network: 'tcp', security: 'none' };
  }
  if (network === 'ws') {
    const ws = (stream.wsSettings ?? {}) as { path?: unknown; host?: unknown };
    const host = text(ws.host);
    return {
      network: 'ws',
      security: 'none',
      wsSettings: { path: text(ws.path) || '/', ...(host === '' ? {} : { headers: { Host: host } }) },
    };
  }
  return `network "${network}" is not run by v2ray 4.34: API-only`;
}

/** The inbound's `settings` for the core; a string says why it cannot run; `null` is "nobody may connect". */
function protocolSettings(inbound: SimInbound, clients: RawClient[]): Record<string, unknown> | string | null {
  const email = (client: RawClient) => text(client.email);
  switch (inbound.protocol) {
    case 'vless':
      return { decryption: 'none', clients: clients.map((c) => ({ id: text(c.id), email: email(c), level: 0 })) };
    case 'vmess':
      return { clients: clients.map((c) => ({ id: text(c.id), alterId: 0, email: email(c), level: 0 })) };
    case 'trojan':
      return { clients: clients.map((c) => ({ password: text(c.password), email: email(c), level: 0 })) };
    case 'shadowsocks': {
      const method = text(inbound.settings.method);
      if (!SS_METHODS.has(method)) return `shadowsocks "${method}" is not implemented by v2ray 4.34: API-only`;
      const all = inbound.clientKeys.length;
      if (all > 1) return `v2ray 4.34 serves one shadowsocks user per inbound and this one has ${all} clients: API-only`;
      const [client] = clients;
      if (client === undefined) return null;
      return { method, password: text(client.password), email: email(client), network: 'tcp', level: 0 };
    }
    default:
      return `protocol "${inbound.protocol}" is not run by the core: API-only`;
  }
}
