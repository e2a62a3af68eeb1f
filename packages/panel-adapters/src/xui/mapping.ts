/**
 * Units and shapes at the 3x-ui edge: `expiryTime` in ms (0 = never, negative = a period that
 * starts at first use), `totalGB` in bytes (0 = unlimited), `limitIp` (0 = unlimited), and the
 * client object the panel stores (credentials from the derived identity, so a retried create is
 * the same client).
 */
import { ValidationError } from '@panelkit/sdk';
import type { ClientPatch, ClientSpec, Expiry, RemoteClient, TargetRef } from '@panelkit/sdk/adapter';
import type { XuiClient } from './schemas.js';

export function expiryToXui(expiry: Expiry): number {
  switch (expiry.type) {
    case 'never':
      return 0;
    case 'at': {
      const ms = expiry.at.getTime();
      if (!Number.isFinite(ms) || ms <= 0)
        throw new ValidationError('expiry date is not valid', [{ path: 'expiry.at', message: 'must be a date after 1970' }]);
      return ms;
    }
    case 'after_first_use':
      if (!Number.isInteger(expiry.durationMs) || expiry.durationMs <= 0) {
        throw new ValidationError('a start-on-first-use period must be a positive whole number of ms', [
          { path: 'expiry.durationMs', message: 'must be > 0' },
        ]);
      }
      return -expiry.durationMs;
  }
}

export function expiryFromXui(ms: number): Expiry {
  if (ms === 0) return { type: 'never' };
  if (ms < 0) return { type: 'after_first_use', durationMs: -ms };
  return { type: 'at', at: new Date(ms) };
}

function nonNegativeInt(value: number | null, path: string): number {
  if (value === null) return 0;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new ValidationError(`${path} must be a non-negative whole number`, [{ path, message: 'must be a non-negative integer' }]);
  return value;
}

export const limitToXui = (bytes: number | null): number => nonNegativeInt(bytes, 'trafficLimitBytes');
export const devicesToXui = (devices: number | null): number => nonNegativeInt(devices, 'deviceLimit');
export const orNull = (value: number | undefined): number | null => (value === undefined || value === 0 ? null : value);

/** The id a Gen A route takes for a client: UUID (vless/vmess), password (trojan), email (shadowsocks). */
export function clientKeyOf(protocol: string, client: { email: string; id?: string | undefined; password?: string | undefined }): string {
  if (protocol === 'trojan') return client.password ?? '';
  if (protocol === 'shadowsocks') return client.email;
  return client.id ?? '';
}

/** What the inbound decides about a new client's credentials. */
export interface InboundFacts {
  readonly protocol: string;
  /** Shadowsocks cipher of the inbound. */
  readonly ssMethod?: string | undefined;
  /** Whether XTLS Vision can be used (VLESS on TCP with TLS or Reality). */
  readonly visionCapable?: boolean | undefined;
}

/** The Shadowsocks client password for a cipher: 2022 ciphers take a 16- or 32-byte base64 key. */
export function ssPassword(method: string, ssKey: string, password: string): string {
  if (method === '2022-blake3-aes-128-gcm') return Buffer.from(ssKey, 'base64').subarray(0, 16).toString('base64');
  if (method.startsWith('2022-')) return ssKey;
  return password;
}

/** The client object for `addClient` / `clients/add`. */
export function clientFromSpec(spec: ClientSpec, inbound: InboundFacts): XuiClient {
  const { identity } = spec;
  const client: XuiClient = {
    email: identity.username,
    enable: spec.enabled,
    expiryTime: expiryToXui(spec.expiry),
    totalGB: limitToXui(spec.trafficLimitBytes),
    limitIp: devicesToXui(spec.deviceLimit),
    subId: identity.subId,
    tgId: 0,
    comment: spec.note ?? '',
    reset: 0,
  };
  switch (inbound.protocol) {
    case 'vless':
      client.id = identity.uuid;
      client.flow = inbound.visionCapable ? 'xtls-rprx-vision' : '';
      break;
    case 'vmess':
      client.id = identity.uuid;
      client.security = 'auto';
      break;
    case 'trojan':
      client.password = identity.password;
      break;
    case 'shadowsocks': {
      const method = inbound.ssMethod ?? '';
      client.password = ssPassword(method, identity.ssKey, identity.password);
      client.method = method.startsWith('2022-') ? '' : method;
      break;
    }
    default:
      client.id = identity.uuid;
      client.password = identity.password;
  }
  return client;
}

/** Applies a patch to a stored client object, keeping every other field as the panel has it. */
export function applyPatch<C extends XuiClient>(client: C, patch: ClientPatch): C {
  const next: C = { ...client };
  if (patch.expiry !== undefined) next.expiryTime = expiryToXui(patch.expiry);
  if (patch.trafficLimitBytes !== undefined) next.totalGB = limitToXui(patch.trafficLimitBytes);
  if (patch.deviceLimit !== undefined) next.limitIp = devicesToXui(patch.deviceLimit);
  if (patch.enabled !== undefined) next.enable = patch.enabled;
  return next;
}

/** Whether the stored client already has every field the patch sets (used to read back a write). */
export function patchApplied(client: XuiClient, patch: ClientPatch): boolean {
  const wanted = applyPatch(client, patch);
  return (
    wanted.expiryTime === client.expiryTime &&
    wanted.totalGB === client.totalGB &&
    wanted.limitIp === client.limitIp &&
    wanted.enable === client.enable
  );
}

export interface UsageRow {
  readonly up: number;
  readonly down: number;
  /** False once the panel's job disabled the client. */
  readonly enable?: boolean | undefined;
  readonly lastOnline?: number | undefined;
}

export function panelStatus(
  client: { enable?: boolean | undefined; expiryTime?: number | undefined; totalGB?: number | undefined },
  usage: UsageRow | null,
  now: Date,
): string {
  const expiry = client.expiryTime ?? 0;
  const total = client.totalGB ?? 0;
  const used = usage ? usage.up + usage.down : 0;
  if (client.enable === false) return 'disabled';
  if (expiry > 0 && expiry <= now.getTime()) return 'expired';
  if (total > 0 && used >= total) return 'limited';
  if (usage?.enable === false) return 'disabled_by_panel';
  if (expiry < 0) return 'on_hold';
  return 'active';
}

export function toRemoteClient(
  target: TargetRef,
  client: {
    email: string;
    enable?: boolean | undefined;
    expiryTime?: number | undefined;
    totalGB?: number | undefined;
    limitIp?: number | undefined;
    id?: string | undefined;
    password?: string | undefined;
  },
  usage: UsageRow | null,
  now: Date,
  usedTotal?: number,
): RemoteClient {
  const up = usage?.up ?? null;
  const down = usage?.down ?? null;
  const used = usedTotal ?? (up ?? 0) + (down ?? 0);
  const lastOnline = usage?.lastOnline ?? 0;
  const status = panelStatus(client, usage ?? (usedTotal === undefined ? null : { up: usedTotal, down: 0 }), now);
  return {
    ref: { target, username: client.email, remoteClientId: clientKeyOf(target.protocol, client) || client.email },
    // Whether it may connect now: the panel's traffic job turns off depleted and expired clients
    // without touching their own \`enable\`.
    enabled: status === 'active' || status === 'on_hold',
    expiry: expiryFromXui(client.expiryTime ?? 0),
    trafficLimitBytes: orNull(client.totalGB),
    usedBytes: used,
    uploadBytes: up,
    downloadBytes: down,
    deviceLimit: orNull(client.limitIp),
    panelStatus: status,
    lastOnlineAt: lastOnline > 0 ? new Date(lastOnline) : null,
  };
}
