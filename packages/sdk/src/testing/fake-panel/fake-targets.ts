import { createHash } from 'node:crypto';
import type { JsonObject } from '../../domain/common.js';
import { KIND_TRAITS, wireGuardKeyPairOf } from '../../domain/entitlement.js';
import type { EntitlementKind } from '../../domain/entitlement.js';
import { addressPool } from './address-pool.js';
import type { AddressPool } from './address-pool.js';

/** A target of the fake panel, as a test declares it (see `FakePanelOptions.targets`). */
export interface FakeTargetOptions {
  readonly remoteRef: string;
  /** Default `inbound <remoteRef>`. */
  readonly name?: string;
  /** Default by its first kind: `vless`, `wireguard`, `amneziawg` or `mtproto`. */
  readonly protocol?: string;
  /** The kinds a client placed here may be; default `['xray']`. */
  readonly kinds?: readonly EntitlementKind[];
  /** A WireGuard or AmneziaWG target's IPv4 pool, e.g. `10.8.0.0/29`; default `10.8.0.0/24`. */
  readonly pool?: string;
  /** The `host:port` links name; default `fake.panel:51820` for WireGuard, `fake.panel:443` for a Telegram proxy. */
  readonly endpoint?: string;
  /** A Telegram proxy target's FakeTLS domain, written into every secret; default `www.example.com`. */
  readonly fakeTlsDomain?: string;
}

/** A target as the fake panel holds it. */
export interface FakeTarget {
  readonly remoteRef: string;
  readonly name: string;
  readonly protocol: string;
  readonly kinds: readonly EntitlementKind[];
  /** What the target's `TargetRef.remoteMeta` holds: the endpoint, server key, AmneziaWG parameters or FakeTLS domain. */
  readonly remoteMeta: JsonObject;
  /** The WireGuard pool, for a target that serves a WireGuard-like kind. */
  readonly pool: AddressPool | null;
  /** The server's public key, for a WireGuard-like target. */
  readonly serverPublicKey: string | null;
  readonly host: string;
  readonly port: number;
  readonly fakeTlsDomain: string | null;
  /** AmneziaWG's obfuscation parameters (valid for amneziawg-go), for a target serving `amneziawg`. */
  readonly amnezia: Readonly<Record<string, number>> | null;
}

const PROTOCOLS: Record<EntitlementKind, string> = { xray: 'vless', wireguard: 'wireguard', amneziawg: 'amneziawg', mtproto: 'mtproto' };
const AMNEZIA = Object.freeze({
  jc: 4,
  jmin: 40,
  jmax: 70,
  s1: 15,
  s2: 40,
  h1: 1020325451,
  h2: 3288052141,
  h3: 1766607858,
  h4: 2528465083,
});

/** The default targets of a fake that provisions `kinds`: `1` (a VLESS inbound), and `wg`, `awg`, `mtproto` as declared. */
export function defaultTargets(kinds: readonly EntitlementKind[]): FakeTargetOptions[] {
  const refs: Record<EntitlementKind, string> = { xray: '1', wireguard: 'wg', amneziawg: 'awg', mtproto: 'mtproto' };
  return kinds.map((kind) => ({ remoteRef: refs[kind], kinds: [kind], ...(kind === 'amneziawg' ? { pool: '10.9.0.0/24' } : {}) }));
}

function splitEndpoint(endpoint: string): { host: string; port: number } {
  const at = endpoint.lastIndexOf(':');
  return { host: endpoint.slice(0, at), port: Number(endpoint.slice(at + 1)) };
}

/** The fake's view of a declared target: its kinds' defaults filled in. */
export function fakeTarget(options: FakeTargetOptions): FakeTarget {
  const kinds = options.kinds ?? ['xray'];
  const wireGuard = kinds.some((kind) => KIND_TRAITS[kind].delivery === 'wireguard_config');
  const proxy = kinds.some((kind) => KIND_TRAITS[kind].delivery === 'telegram_proxy');
  const endpoint = splitEndpoint(options.endpoint ?? (wireGuard ? 'fake.panel:51820' : 'fake.panel:443'));
  const seed = createHash('sha256').update(`fake-panel-server\u0000${options.remoteRef}`).digest();
  const serverPublicKey = wireGuard ? wireGuardKeyPairOf(seed).publicKey : null;
  const amnezia = kinds.includes('amneziawg') ? AMNEZIA : null;
  const fakeTlsDomain = proxy ? (options.fakeTlsDomain ?? 'www.example.com') : null;
  const pool = wireGuard ? addressPool(options.pool ?? '10.8.0.0/24') : null;
  const remoteMeta: JsonObject = {
    ...(wireGuard || proxy ? { endpoint: `${endpoint.host}:${endpoint.port}` } : {}),
    ...(serverPublicKey === null ? {} : { serverPublicKey }),
    ...(pool === null ? {} : { pool: pool.cidr }),
    ...(amnezia === null ? {} : { amnezia: { ...amnezia } }),
    ...(fakeTlsDomain === null ? {} : { fakeTlsDomain }),
  };
  return {
    remoteRef: options.remoteRef,
    name: options.name ?? `inbound ${options.remoteRef}`,
    protocol: options.protocol ?? PROTOCOLS[kinds[0] ?? 'xray'],
    kinds,
    remoteMeta,
    pool,
    serverPublicKey,
    host: endpoint.host,
    port: endpoint.port,
    fakeTlsDomain,
    amnezia,
  };
}
