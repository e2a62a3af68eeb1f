/**
 * PasarGuard's WireGuard (v5): a `wg` core is its own inbound, tagged with its `interface_name`; a group whose
 * inbound tags include that tag gives its users a WireGuard peer (keys in `proxy_settings.wireguard`, one address
 * per client subnet from the panel's pool). AmneziaWG is not here: no PasarGuard release runs it (its parameters
 * exist only on the unmerged `amaziaWG` branch, per host, against a kernel-WireGuard node; docs/design
 * product-kinds-panels.md §1.4), so the adapter declares no `amneziawg`.
 */
import type { RemoteIdentity } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import { type ClientSpec, wireGuardPublicKey } from '@panelkit/sdk/adapter';
import { ValidationError } from '@panelkit/sdk';
import type { JsonObject } from '@panelkit/sdk';
import type { PasarGuardCore, PasarGuardSubnet, PasarGuardUser } from './schemas.js';

/** A WireGuard key as `wg genkey` prints it: base64 of exactly 32 bytes (the SDK's `WireGuardKeySchema`). */
function isWireGuardKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(value);
}

/** What a client's links need of one `wg` core, kept in its targets' `remoteMeta.wireguard`. */
export interface WireGuardCoreInfo {
  /** The core's `interface_name`: the inbound tag groups name. */
  readonly tag: string;
  /** The server's public key (the panel derives it from the core's private key, which is never kept here). */
  readonly publicKey: string | null;
  readonly listenPort: number | null;
  /** The server's interface addresses, which are the client subnets too. */
  readonly address: readonly string[];
}

/** The `wg` cores by tag, from `GET /api/cores`. */
export function wireGuardCores(cores: readonly PasarGuardCore[]): Map<string, WireGuardCoreInfo> {
  const out = new Map<string, WireGuardCoreInfo>();
  for (const core of cores) {
    if (core.type !== 'wg' || !core.config) continue;
    const tag = String(core.config.interface_name ?? '').trim();
    if (!tag) continue;
    out.set(tag, {
      tag,
      publicKey: serverPublicKey(core.config),
      listenPort: typeof core.config.listen_port === 'number' ? core.config.listen_port : null,
      address: Array.isArray(core.config.address) ? core.config.address.filter((a): a is string => typeof a === 'string') : [],
    });
  }
  return out;
}

/** The stored config holds the public key only when the admin sent it; otherwise it is X25519 of the private key. */
function serverPublicKey(config: Record<string, unknown>): string | null {
  if (isWireGuardKey(config.public_key)) return config.public_key;
  const privateKey = typeof config.private_key === 'string' ? config.private_key.trim() : '';
  return isWireGuardKey(privateKey) ? wireGuardPublicKey(privateKey) : null;
}

/**
 * The kinds a group hands out: `wireguard` where a tag is a `wg` core's, `xray` where another tag is (an Xray
 * inbound), both for a group with both. `undefined` (Xray only, as before kinds) for a group with no `wg` tag.
 */
export function groupKinds(tags: readonly string[], cores: ReadonlyMap<string, WireGuardCoreInfo>): EntitlementKind[] | undefined {
  const wg = tags.filter((tag) => cores.has(tag));
  if (wg.length === 0) return undefined;
  return wg.length < tags.length ? ['xray', 'wireguard'] : ['wireguard'];
}

/** `remoteMeta.wireguard` of a group: what links need of each `wg` core it reaches. */
export function wireGuardMeta(tags: readonly string[], cores: ReadonlyMap<string, WireGuardCoreInfo>): JsonObject[] {
  return tags.flatMap((tag) => {
    const core = cores.get(tag);
    return core ? [{ tag: core.tag, publicKey: core.publicKey, listenPort: core.listenPort, address: [...core.address] }] : [];
  });
}

/**
 * A group's pool: a user takes one address in every subnet its `wg` cores are on, so the tightest subnet bounds
 * it (its capacity and free addresses). `undefined` where the panel reports no subnet for those tags.
 */
export function poolOf(tags: readonly string[], subnets: readonly PasarGuardSubnet[]): { capacity: number; free: number } | undefined {
  const reached = subnets.filter((subnet) => subnet.interface_tags.some((tag) => tags.includes(tag)));
  if (reached.length === 0) return undefined;
  return { capacity: Math.min(...reached.map((s) => s.capacity)), free: Math.min(...reached.map((s) => s.free)) };
}

/** The identity's WireGuard key pair, checked before any panel call (a missing or malformed key is a `ValidationError`). */
export function wireGuardKeysOf(spec: ClientSpec): { privateKey: string; publicKey: string } {
  const keys = spec.identity.wireguard;
  const issues: { path: string; message: string }[] = [];
  if (keys === undefined) issues.push({ path: 'identity.wireguard', message: 'a WireGuard client needs its derived key pair' });
  else {
    if (!isWireGuardKey(keys.privateKey)) issues.push({ path: 'identity.wireguard.privateKey', message: 'must be base64 of 32 bytes' });
    else if (keys.publicKey !== wireGuardPublicKey(keys.privateKey))
      issues.push({ path: 'identity.wireguard.publicKey', message: 'must be the public key of the private key' });
  }
  if (issues.length > 0 || keys === undefined) throw new ValidationError('the WireGuard key pair is missing or malformed', issues);
  return keys;
}

/** Whether the user holds this identity's WireGuard public key (so adopting it is safe). */
export function holdsKey(user: PasarGuardUser, identity: RemoteIdentity): boolean {
  const publicKey = user.proxy_settings.wireguard?.public_key;
  return identity.wireguard !== undefined && publicKey === identity.wireguard.publicKey;
}

/** The user's WireGuard peer as the port reports it, or `undefined` while it has no key or no address. */
export function peerOf(user: PasarGuardUser): { publicKey: string; addresses: string[] } | undefined {
  const wg = user.proxy_settings.wireguard;
  if (!wg?.public_key || !wg.peer_ips || wg.peer_ips.length === 0) return undefined;
  return { publicKey: wg.public_key, addresses: [...wg.peer_ips] };
}

/** The panel's 400 for a full subnet (`WireGuard subnet <cidr> has no free addresses`). */
export function isPoolExhausted(detail: string | null): boolean {
  return detail !== null && /^WireGuard subnet \S+ has no free addresses$/.test(detail);
}

/** The panel's 400 for a public key another user holds; a retried create whose first try was applied meets it too. */
export function isKeyTaken(detail: string | null): boolean {
  return detail === 'wireguard public_key is already assigned to another user';
}

/** Keeps the links of the client's kind: `wireguard://` for a WireGuard client, every other link for an Xray one. */
export function linksOfKind(links: readonly string[], kind: EntitlementKind): string[] {
  return links.filter((link) => link.startsWith('wireguard://') === (kind === 'wireguard'));
}
