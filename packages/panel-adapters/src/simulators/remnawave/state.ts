/**
 * What a simulated Remnawave holds: users (`users` + `user_traffic` rows), internal squads with their
 * inbounds, and the hosts links are built from. Times are epoch milliseconds of the simulator's clock.
 */

import type { RemnawaveSimDevice } from './hwid.js';

/** `USERS_STATUS`. */
export type RemnawaveSimStatus = 'ACTIVE' | 'DISABLED' | 'LIMITED' | 'EXPIRED';

/** One user as the panel stores it. */
export interface RemnawaveSimUser {
  id: number;
  username: string;
  shortUuid: string;
  vlessUuid: string;
  trojanPassword: string;
  ssPassword: string;
  status: RemnawaveSimStatus;
  trafficLimitBytes: number;
  trafficLimitStrategy: string;
  expireAt: number;
  description: string | null;
  tag: string | null;
  telegramId: number | null;
  email: string | null;
  hwidDeviceLimit: number | null;
  externalSquadUuid: string | null;
  lastTriggeredThreshold: number;
  subRevokedAt: number | null;
  lastTrafficResetAt: number | null;
  createdAt: number;
  updatedAt: number;
  squads: string[];
  usedTrafficBytes: number;
  lifetimeUsedTrafficBytes: number;
  onlineAt: number | null;
  firstConnectedAt: number | null;
  /** Its `hwid_user_devices` rows (deleted with the user). */
  hwidDevices: RemnawaveSimDevice[];
}

/** An inbound of a config profile (`config_profile_inbounds`), as squads list them. */
export interface RemnawaveSimInbound {
  uuid: string;
  profileUuid: string;
  tag: string;
  /** `vless`, `trojan`, `shadowsocks`. */
  type: 'vless' | 'trojan' | 'shadowsocks';
  network: 'tcp' | 'ws' | 'grpc';
  security: 'reality' | 'tls' | 'none';
  port: number;
}

/** A host: how one inbound is reached from outside (address, port, remark, TLS/REALITY and transport options). */
export interface RemnawaveSimHost {
  inboundUuid: string;
  remark: string;
  address: string;
  port: number;
  /** TLS `serverName` / REALITY `serverNames[0]`. */
  sni: string | null;
  fingerprint: string | null;
  /** REALITY only. */
  publicKey?: string;
  shortId?: string;
  /** `flow` of VLESS over REALITY/TLS TCP. */
  flow?: string;
  /** ws path / gRPC service name. */
  path?: string;
  serviceName?: string;
  /** Shadowsocks method. */
  method?: string;
}

/** An internal squad: a named set of inbounds users are given. */
export interface RemnawaveSimSquad {
  uuid: string;
  name: string;
  inboundUuids: string[];
}

const PROFILE = '9f1d6c4e-2f0a-4b5e-8d7c-1a2b3c4d5e6f';

/** One profile with a VLESS REALITY, a Trojan TLS-over-WS and a Shadowsocks inbound. */
export const REMNAWAVE_DEFAULT_INBOUNDS: readonly RemnawaveSimInbound[] = [
  {
    uuid: 'b3a3f0d2-6a51-4c1e-9a47-0f3c2e1d5a01',
    profileUuid: PROFILE,
    tag: 'VLESS_REALITY',
    type: 'vless',
    network: 'tcp',
    security: 'reality',
    port: 443,
  },
  {
    uuid: 'b3a3f0d2-6a51-4c1e-9a47-0f3c2e1d5a02',
    profileUuid: PROFILE,
    tag: 'TROJAN_WS',
    type: 'trojan',
    network: 'ws',
    security: 'tls',
    port: 8443,
  },
  {
    uuid: 'b3a3f0d2-6a51-4c1e-9a47-0f3c2e1d5a03',
    profileUuid: PROFILE,
    tag: 'SS_TCP',
    type: 'shadowsocks',
    network: 'tcp',
    security: 'none',
    port: 8388,
  },
];

/** `Default-Squad` (every inbound, as a fresh panel creates it) and a second squad with the REALITY inbound only. */
export const REMNAWAVE_DEFAULT_SQUADS: readonly RemnawaveSimSquad[] = [
  { uuid: '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', name: 'Default-Squad', inboundUuids: REMNAWAVE_DEFAULT_INBOUNDS.map((i) => i.uuid) },
  { uuid: '1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f', name: 'Reality-Only', inboundUuids: [REMNAWAVE_DEFAULT_INBOUNDS[0]!.uuid] },
];

/** A host per default inbound, on the documentation address range, with a remark that needs percent-encoding. */
export const REMNAWAVE_DEFAULT_HOSTS: readonly RemnawaveSimHost[] = [
  {
    inboundUuid: REMNAWAVE_DEFAULT_INBOUNDS[0]!.uuid,
    remark: '🇩🇪 Germany (Reality)',
    address: '203.0.113.30',
    port: 443,
    sni: 'www.microsoft.com',
    fingerprint: 'chrome',
    publicKey: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
    shortId: '6ba85179e30d4fc2',
    flow: 'xtls-rprx-vision',
  },
  {
    inboundUuid: REMNAWAVE_DEFAULT_INBOUNDS[1]!.uuid,
    remark: 'Trojan WS',
    address: 'cdn.example.com',
    port: 443,
    sni: 'cdn.example.com',
    fingerprint: 'chrome',
    path: '/ws-trojan',
  },
  {
    inboundUuid: REMNAWAVE_DEFAULT_INBOUNDS[2]!.uuid,
    remark: 'SS',
    address: '203.0.113.30',
    port: 8388,
    sni: null,
    fingerprint: null,
    method: 'chacha20-ietf-poly1305',
  },
];

/** The panel's "never": an `expireAt` in 2099 (its subscription headers then report `expire=0`). */
export function isNeverYear(expireAt: number): boolean {
  return new Date(expireAt).getFullYear() === 2099;
}

/**
 * The panel's own jobs (`update-expired-users`, `update-exceeded-users`): an `ACTIVE` user past its
 * `expireAt` becomes `EXPIRED`; one at or over a non-zero limit becomes `LIMITED`.
 */
export function reviewUsers(users: Iterable<RemnawaveSimUser>, now: number): void {
  for (const user of users) {
    if (user.status !== 'ACTIVE') continue;
    if (user.expireAt <= now) user.status = 'EXPIRED';
    else if (user.trafficLimitBytes > 0 && user.usedTrafficBytes >= user.trafficLimitBytes) user.status = 'LIMITED';
  }
}
