/** The Marzneshin simulator's rows (`app/db/models.py` `User`, `Service`, `Inbound`, `Admin`). */

export interface MarzneshinSimService {
  id: number;
  name: string;
  inbound_ids: number[];
}

/** An inbound a node reported (`/api/inbounds`); each one gives an active user one share link. */
export interface MarzneshinSimInbound {
  id: number;
  tag: string;
  protocol: 'vless' | 'vmess' | 'trojan';
  network: 'tcp' | 'ws' | 'grpc';
  security: 'none' | 'tls' | 'reality';
  port: number;
  /** TLS/REALITY server name (`sni`). */
  sni?: string;
  /** uTLS fingerprint (`fp`). */
  fingerprint?: string;
  /** REALITY public key (`pbk`) and short id (`sid`). */
  publicKey?: string;
  shortId?: string;
  /** VLESS flow, from the inbound (`xtls-rprx-vision` on TCP with TLS or REALITY). */
  flow?: string;
  /** WS path, or the gRPC service name. */
  path?: string;
  /** WS `Host` header. */
  host?: string;
}

/**
 * The admin the simulator's login is (`app/models/admin.py Admin`). Only `username` and the password
 * are needed; the rest defaults to a sudo admin, as a panel's first admin is.
 */
export interface MarzneshinSimAdmin {
  readonly isSudo?: boolean;
  /** Default `true` (the panel's default). */
  readonly modifyUsersAccess?: boolean;
  /** Default `false` (the panel's default); only matters for a non-sudo admin. */
  readonly allServicesAccess?: boolean;
  /** The services a non-sudo admin without `allServicesAccess` may use. Default none. */
  readonly serviceIds?: readonly number[];
  /** The admin's `subscription_url_prefix`; `''` falls back to the panel's `SUBSCRIPTION_URL_PREFIX`. */
  readonly subscriptionUrlPrefix?: string;
}

/** A user as the simulator stores it: instants in ms, `usageDuration` in seconds, traffic in bytes; `removed` is a soft delete. */
export interface MarzneshinSimUser {
  id: number;
  username: string;
  /** The admin who created it (`users.admin_id`). */
  owner: string;
  expireStrategy: 'never' | 'fixed_date' | 'start_on_first_use';
  expireDate: number | null;
  usageDuration: number | null;
  activationDeadline: number | null;
  key: string;
  dataLimit: number | null;
  resetStrategy: string;
  note: string | null;
  onlineAt: number | null;
  enabled: boolean;
  /** Pushed to the nodes: set by the review task (`enforce()`), so it lags (§10.4). */
  activated: boolean;
  usedTraffic: number;
  lifetimeUsedTraffic: number;
  createdAt: number;
  editAt: number | null;
  subUpdatedAt: number | null;
  subLastUserAgent: string | null;
  subRevokedAt: number | null;
  trafficResetAt: number | null;
  serviceIds: number[];
  removed: boolean;
}

/** The services a simulator starts with unless given others. */
export const MARZNESHIN_DEFAULT_SERVICES: readonly MarzneshinSimService[] = [
  { id: 1, name: 'Standard', inbound_ids: [1, 2] },
  { id: 3, name: 'Premium-EU', inbound_ids: [1, 2, 5] },
];

/** The inbounds a simulator starts with unless given others (ids as the default services name them). */
export const MARZNESHIN_DEFAULT_INBOUNDS: readonly MarzneshinSimInbound[] = [
  {
    id: 1,
    tag: 'VLESS TCP REALITY',
    protocol: 'vless',
    network: 'tcp',
    security: 'reality',
    port: 443,
    sni: 'www.speedtest.net',
    fingerprint: 'chrome',
    publicKey: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
    shortId: '6ba85179e30d4fc2',
    flow: 'xtls-rprx-vision',
  },
  { id: 2, tag: 'VMESS WS', protocol: 'vmess', network: 'ws', security: 'none', port: 8080, path: '/ws' },
  {
    id: 5,
    tag: 'TROJAN TCP TLS',
    protocol: 'trojan',
    network: 'tcp',
    security: 'tls',
    port: 8443,
    sni: 'vpn.example.com',
    fingerprint: 'chrome',
  },
];

/** `expired` as the panel computes it on every read (§10.4): a fixed date in the past. */
export function isExpired(user: MarzneshinSimUser, nowMs: number): boolean {
  return user.expireStrategy === 'fixed_date' && user.expireDate !== null && user.expireDate < nowMs;
}

/** `data_limit_reached` as the panel computes it on every read (§10.4): used at least the limit. */
export function isLimited(user: MarzneshinSimUser): boolean {
  return user.dataLimit !== null && user.usedTraffic >= user.dataLimit;
}

/** `User.is_active`: enabled, not expired, not over its limit, not removed. */
export function isActive(user: MarzneshinSimUser, nowMs: number): boolean {
  return user.enabled && !user.removed && !isExpired(user, nowMs) && !isLimited(user);
}

/**
 * The review task (`app/tasks/review_users.py`): users no longer active are taken off the nodes
 * (`activated = false`); start-on-first-use users seen online (or past their deadline) get a fixed date.
 */
export function reviewUsers(users: Iterable<MarzneshinSimUser>, nowMs: number): void {
  for (const user of users) {
    if (user.activated && !isActive(user, nowMs)) user.activated = false;
    if (user.expireStrategy !== 'start_on_first_use' || !isActive(user, nowMs)) continue;
    const base = user.editAt ?? user.createdAt;
    if ((user.onlineAt !== null && user.onlineAt >= base) || (user.activationDeadline !== null && user.activationDeadline <= nowMs)) {
      user.expireStrategy = 'fixed_date';
      user.expireDate = nowMs + (user.usageDuration ?? 0) * 1000;
      user.usageDuration = null;
      user.activationDeadline = null;
    }
  }
}
