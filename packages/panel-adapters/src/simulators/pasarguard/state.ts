/**
 * The PasarGuard simulator's data (`PasarGuard/panel@e81877c`: `app/models/user.py`,
 * `app/models/proxy.py`, `app/models/group.py`, `app/db/models.py`), kept apart from the routes.
 */
import type { SimHwid } from './hwid.js';
import { randomBytes, randomUUID } from 'node:crypto';

/** A simulated PasarGuard user's status, as the panel reports it. */
export type SimStatus = 'active' | 'disabled' | 'limited' | 'expired' | 'on_hold';

/** The protocols of an inbound the simulated core serves. */
export type SimProtocol = 'vmess' | 'vless' | 'trojan' | 'shadowsocks';

/** One inbound of the simulated core, with what its host puts in links. */
export interface SimInbound {
  tag: string;
  protocol: SimProtocol;
  network: 'tcp' | 'ws' | 'grpc' | 'httpupgrade' | 'xhttp';
  tls: 'none' | 'tls' | 'reality';
  port: number;
  /** Host addresses for links (a `*` becomes random hex); one is picked per read. Default the server IP. */
  addresses?: readonly string[];
  /** TLS/Reality server names; one is picked per read. */
  serverNames?: readonly string[];
  /** Reality short ids; one is picked per read. */
  shortIds?: readonly string[];
  /** Reality public key (`pbk`). */
  publicKey?: string;
  /** uTLS fingerprint (`fp`). */
  fingerprint?: string;
  /** WS/HTTPUpgrade/XHTTP path, or the gRPC service name. */
  path?: string;
  /** Request `host` (ws, httpupgrade, xhttp) or gRPC `authority`. */
  host?: string;
  /** VLESS flow, taken from the inbound (`inbound_flow`), never from the user. */
  flow?: string;
}

/** A group: a name and the inbound tags its users are served on. */
export interface SimGroup {
  id: number;
  name: string;
  inboundTags: string[];
  isDisabled: boolean;
}

/** `ProxyTable` as stored: every protocol, generated where not given. */
export interface SimProxySettings {
  vmess: { id: string };
  vless: { id: string };
  trojan: { password: string };
  shadowsocks: { password: string; method: string };
  wireguard: { private_key: string | null; public_key: string | null; peer_ips: string[] };
  hysteria: { auth: string };
}

/** `NextPlanModel`. */
export interface SimNextPlan {
  user_template_id: number | null;
  data_limit: number | null;
  expire: number | null;
  add_remaining_traffic: boolean;
}

/** A user as the simulated PasarGuard stores it (times in ms since the epoch, traffic in bytes). */
export interface SimUser {
  id: number;
  username: string;
  status: SimStatus;
  proxySettings: SimProxySettings;
  groupIds: number[];
  expire: number | null;
  dataLimit: number | null;
  resetStrategy: string;
  note: string | null;
  onHoldExpireDuration: number | null;
  onHoldTimeout: number | null;
  hwidLimit: number | null;
  nextPlan: SimNextPlan | null;
  usedTraffic: number;
  lifetimeUsedTraffic: number;
  createdAt: number;
  editAt: number | null;
  onlineAt: number | null;
  /** Revoking the subscription invalidates tokens signed before this instant. */
  subRevokedAt: number | null;
  /** Its `user_hwids` rows (deleted with the user). */
  hwids: SimHwid[];
}

const REALITY = {
  serverNames: ['www.speedtest.net', 'discord.com'],
  shortIds: ['6ba85179e30d4fc2', 'a1b2c3d4'],
  publicKey: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
  fingerprint: 'chrome',
} as const;

/** A common install: REALITY over TCP (with vision) and gRPC, VMess over WS, Trojan, Shadowsocks. */
export const DEFAULT_INBOUNDS: readonly SimInbound[] = [
  { tag: 'VLESS TCP REALITY', protocol: 'vless', network: 'tcp', tls: 'reality', port: 443, flow: 'xtls-rprx-vision', ...REALITY },
  { tag: 'VLESS GRPC REALITY', protocol: 'vless', network: 'grpc', tls: 'reality', port: 8443, path: 'grpc-svc', ...REALITY },
  { tag: 'VMess WS', protocol: 'vmess', network: 'ws', tls: 'none', port: 8080, path: '/ws-path', host: 'cdn.example.com' },
  {
    tag: 'Trojan TCP',
    protocol: 'trojan',
    network: 'tcp',
    tls: 'tls',
    port: 2083,
    serverNames: ['vpn.example.com'],
    fingerprint: 'chrome',
  },
  { tag: 'Shadowsocks TCP', protocol: 'shadowsocks', network: 'tcp', tls: 'none', port: 1080 },
];

/** Two groups, as an admin sets them up: everything, and REALITY only. */
export const DEFAULT_GROUPS: readonly Omit<SimGroup, 'id'>[] = [
  { name: 'All inbounds', inboundTags: DEFAULT_INBOUNDS.map((inbound) => inbound.tag), isDisabled: false },
  { name: 'Reality', inboundTags: ['VLESS TCP REALITY', 'VLESS GRPC REALITY'], isDisabled: false },
];

/** `random_password()`: 24 URL-safe characters. */
function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** A `ProxyTable`: given values kept, the rest generated as the panel's default factories do. */
export function proxySettings(given: Partial<Record<keyof SimProxySettings, Record<string, unknown>>> = {}): SimProxySettings {
  const text = (value: unknown, fallback: () => string) => (typeof value === 'string' ? value : fallback());
  return {
    vmess: { id: text(given.vmess?.id, randomUUID) },
    vless: { id: text(given.vless?.id, randomUUID) },
    trojan: { password: text(given.trojan?.password, randomPassword) },
    shadowsocks: {
      password: text(given.shadowsocks?.password, randomPassword),
      method: text(given.shadowsocks?.method, () => 'chacha20-ietf-poly1305'),
    },
    // Peer IPs come from the pool only (`wg-pool.ts`), never from what was given.
    wireguard: {
      private_key: typeof given.wireguard?.private_key === 'string' ? given.wireguard.private_key : null,
      public_key: typeof given.wireguard?.public_key === 'string' ? given.wireguard.public_key : null,
      peer_ips: [],
    },
    hysteria: { auth: text(given.hysteria?.auth, randomPassword) },
  };
}
