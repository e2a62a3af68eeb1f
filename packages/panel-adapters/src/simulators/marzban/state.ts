/**
 * The Marzban simulator's data and rules (`Gozargah/Marzban@v0.8.4`: `app/models/user.py`,
 * `app/db/crud.py`, `app/jobs/review_users.py`), kept apart from the HTTP routes.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** The proxy protocols the Marzban simulator knows. */
export const SIM_PROTOCOLS = ['vmess', 'vless', 'trojan', 'shadowsocks'] as const;
/** One of `SIM_PROTOCOLS` (exported as `MarzbanSimProtocol`). */
export type SimProtocol = (typeof SIM_PROTOCOLS)[number];
/** A simulated Marzban user's status, as the panel reports it. */
export type SimStatus = 'active' | 'disabled' | 'limited' | 'expired' | 'on_hold';

/** One inbound of the simulated Marzban core: tag, protocol, transport, security and what its links are built from. */
export interface SimInbound {
  tag: string;
  protocol: SimProtocol;
  network: string;
  tls: 'none' | 'tls' | 'reality';
  port: number;
  /** Host addresses for links (a `*` becomes random hex); default the server IP. One is picked per read. */
  addresses?: readonly string[];
  /** TLS/Reality server names; one is picked per read. */
  serverNames?: readonly string[];
  /** Reality short ids (`""` is a legal one); one is picked per read. */
  shortIds?: readonly string[];
  /** Request `host` values (ws/http); one is picked per read. */
  hosts?: readonly string[];
  /** Reality public key (`pbk`). */
  publicKey?: string;
  /** The WS/HTTPUpgrade path, or the gRPC service name (`path` in the inbound's transport settings). */
  path?: string;
}

/** A simulated user's credential for one protocol (uuid, password, flow or cipher). */
export interface SimProxy {
  id?: string;
  flow?: string;
  password?: string;
  method?: string;
}

/** Marzban's `next_plan`: what the panel applies itself when the current period ends (values in bytes and seconds). */
export interface SimNextPlan {
  data_limit: number | null;
  expire: number | null;
  add_remaining_traffic: boolean;
  fire_on_either: boolean;
}

/** A user as the simulated Marzban stores it (times in ms since the epoch, traffic in bytes). */
export interface SimUser {
  username: string;
  status: SimStatus;
  proxies: Partial<Record<SimProtocol, SimProxy>>;
  /** Included tags per protocol. */
  inbounds: Partial<Record<SimProtocol, string[]>>;
  expire: number | null;
  dataLimit: number | null;
  resetStrategy: string;
  note: string | null;
  onHoldExpireDuration: number | null;
  onHoldTimeout: number | null;
  nextPlan: SimNextPlan | null;
  usedTraffic: number;
  lifetimeUsedTraffic: number;
  createdAt: number;
  editAt: number | null;
  onlineAt: number | null;
  subUpdatedAt: number | null;
  /** The User-Agent of the last subscription fetch. */
  subLastUserAgent?: string | null;
  /** `null` = created by the env sudoer (no admin row): deleting it answers 500 (quirk §1.8.1). */
  admin: string | null;
  /** Created with `proxies` omitted on 0.8: every read of it fails with 500 (quirk §1.8.3). */
  broken: boolean;
}

const REALITY = {
  serverNames: ['www.speedtest.net', 'discord.com'],
  shortIds: ['', '6ba85179e30d4fc2'],
  publicKey: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
} as const;

/** A common install: Reality inbounds with two short ids (one empty) and two SNIs, so links differ per read. */
export const DEFAULT_INBOUNDS: readonly SimInbound[] = [
  { tag: 'VLESS TCP REALITY', protocol: 'vless', network: 'tcp', tls: 'reality', port: 443, ...REALITY },
  { tag: 'VLESS GRPC REALITY', protocol: 'vless', network: 'grpc', tls: 'reality', port: 8443, ...REALITY },
  { tag: 'VMess WS', protocol: 'vmess', network: 'ws', tls: 'none', port: 8080 },
  { tag: 'Trojan TCP', protocol: 'trojan', network: 'tcp', tls: 'tls', port: 2083 },
  { tag: 'Shadowsocks TCP', protocol: 'shadowsocks', network: 'tcp', tls: 'none', port: 1080 },
];

/** Username rule of Marzban ≥ 0.4 (`UserCreate.validate_username`). */
export const USERNAME_RE = /^(?=\w{3,32}\b)[a-zA-Z0-9\-_@.]+(?:_[a-zA-Z0-9\-_@.]+)*$/;

export function newCredential(protocol: SimProtocol, given: SimProxy = {}): SimProxy {
  if (protocol === 'vless') return { id: given.id ?? randomUUID(), flow: given.flow ?? '' };
  if (protocol === 'vmess') return { id: given.id ?? randomUUID() };
  if (protocol === 'trojan')
    return { password: given.password ?? randomBytes(16).toString('base64url'), ...(given.flow ? { flow: given.flow } : {}) };
  return { password: given.password ?? randomBytes(16).toString('base64url'), method: given.method ?? 'chacha20-ietf-poly1305' };
}

/** `create_subscription_token`: base64url(`username,ceil(now)`) + 10 characters of a signature. */
export function subscriptionToken(username: string, nowMs: number, secret: string): string {
  const data = Buffer.from(`${username},${Math.ceil(nowMs / 1000)}`).toString('base64url');
  const signature = createHash('sha256')
    .update(data + secret)
    .digest('base64url')
    .slice(0, 10);
  return data + signature;
}
