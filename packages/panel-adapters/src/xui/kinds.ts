/**
 * WireGuard (v3.4.2+) and MTProto (v3.5+) clients on 3x-ui: which kinds a panel version provisions, the credentials
 * a create sends (the derived private key and, when asked, the peer's preferred addresses; the FakeTLS secret
 * `ee` + derived core + hex(domain), checked before it is sent, since a plain or `dd` secret sent through the client
 * API breaks mtg for the whole inbound, 3x-ui#6036), the adoption check of a client found by its email, and what a
 * client record says of its kind.
 */
import { PanelConflictError, ValidationError } from '@panelkit/sdk';
import type { EntitlementKind } from '@panelkit/sdk/kinds';
import {
  mtprotoSecret,
  mtprotoSecretParts,
  type ClientSpec,
  type KindCapabilities,
  type PanelCapabilities,
  type PanelErrorContext,
  type RemoteClient,
} from '@panelkit/sdk/adapter';

/** The FakeTLS domain 3x-ui uses for an MTProto inbound that names none (`defaultMtprotoDomain`). */
export const XUI_DEFAULT_FAKE_TLS_DOMAIN = 'www.cloudflare.com';

type Version = readonly [number, number, number];

/** `3.6.0`, `v3.4.2` → a comparable triple; null when the panel said nothing readable. */
export function parsePanelVersion(version: string | null | undefined): Version | null {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec((version ?? '').trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : null;
}

/** Whether `version` is at least `major.minor.patch`. */
export function versionAtLeast(version: Version | null, major: number, minor: number, patch = 0): boolean {
  if (version === null) return false;
  if (version[0] !== major) return version[0] > major;
  if (version[1] !== minor) return version[1] > minor;
  return version[2] >= patch;
}

const WIREGUARD: KindCapabilities = { deviceLimit: false };
const MTPROTO: KindCapabilities = { deviceLimit: false, startOnFirstUse: false, mtproto: { secretForms: ['ee'] } };

/** Every kind a 3x-ui adapter may provision, before the panel's version is known. */
export const XUI_ALL_KINDS: NonNullable<PanelCapabilities['kinds']> = { xray: {}, wireguard: WIREGUARD, mtproto: MTPROTO };

/** The kinds a panel of this version provisions: WireGuard clients from v3.4.2, per-client MTProto secrets from v3.5. */
export function kindsOfVersion(version: Version | null): NonNullable<PanelCapabilities['kinds']> {
  return {
    xray: {},
    ...(versionAtLeast(version, 3, 4, 2) ? { wireguard: WIREGUARD } : {}),
    ...(versionAtLeast(version, 3, 5) ? { mtproto: MTPROTO } : {}),
  };
}

/** The kind an inbound's clients are: `wireguard` and `mtproto` inbounds hold those, every other protocol Xray users. */
export function kindOfProtocol(protocol: string): EntitlementKind {
  if (protocol === 'wireguard') return 'wireguard';
  if (protocol === 'mtproto') return 'mtproto';
  return 'xray';
}

/**
 * The kind fields of a `clients/add` body for `spec` on an inbound of `kind`. Throws `ValidationError` (before any
 * write) when the spec's kind is not the inbound's, its identity lacks the kind's credentials, or the secret it
 * would send is not an `ee` secret carrying the derived core.
 */
export function kindCreateFields(spec: ClientSpec, kind: EntitlementKind, fakeTlsDomain: string): Record<string, unknown> {
  const wanted = spec.kind ?? 'xray';
  if (wanted !== kind)
    throw new ValidationError(`a ${wanted} client cannot be placed on a ${kind} inbound`, [
      { path: 'kind', message: `the inbound holds ${kind} clients` },
    ]);
  if (kind === 'wireguard') {
    const keys = spec.identity.wireguard;
    if (!keys)
      throw new ValidationError('a WireGuard client needs a derived key pair', [{ path: 'identity.wireguard', message: 'missing' }]);
    const preferred = spec.wireguard?.preferredAddresses ?? [];
    return { privateKey: keys.privateKey, ...(preferred.length > 0 ? { allowedIPs: [...preferred] } : {}) };
  }
  if (kind === 'mtproto') return { secret: fakeTlsSecret(spec, fakeTlsDomain) };
  return {};
}

function fakeTlsSecret(spec: ClientSpec, domain: string): string {
  const core = spec.identity.mtproto?.secretCore;
  const refuse = (message: string) => new ValidationError(message, [{ path: 'identity.mtproto', message }]);
  if (core === undefined) throw refuse('an MTProto client needs a derived secret core');
  let secret: string;
  try {
    secret = mtprotoSecret(core, 'ee', domain);
  } catch (error) {
    throw refuse(`no FakeTLS secret can be made for the inbound's domain: ${(error as Error).message}`);
  }
  const parts = mtprotoSecretParts(secret);
  if (parts?.form !== 'ee' || parts.core !== core) throw refuse('the FakeTLS secret does not read back as ee + the derived core');
  return secret;
}

/** A client record's kind fields as the panel holds them (`allowedIPs` is CSV in a record). */
export interface KindRecord {
  readonly publicKey?: string | undefined;
  readonly allowedIPs?: string | undefined;
  readonly secret?: string | undefined;
}

/** The addresses of a record's CSV `allowedIPs`. */
export function addressesOf(csv: string | undefined): string[] {
  return (csv ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** What a `RemoteClient` says of its kind, from the client record. */
export function kindReadFields(kind: EntitlementKind, record: KindRecord): Pick<RemoteClient, 'kind' | 'wireguard' | 'mtproto'> {
  if (kind === 'wireguard') return { kind, wireguard: { publicKey: record.publicKey ?? '', addresses: addressesOf(record.allowedIPs) } };
  if (kind === 'mtproto') return { kind, mtproto: { secret: record.secret ?? '' } };
  return { kind };
}

/**
 * A client found by the spec's email after a create: ours only when it holds the derived public key (WireGuard) or
 * secret core (MTProto); anything else is someone else's client under that email, a `PanelConflictError`.
 */
export function checkAdoptable(spec: ClientSpec, record: KindRecord, context: PanelErrorContext): void {
  const kind = spec.kind ?? 'xray';
  const conflict = (what: string) =>
    new PanelConflictError(`3x-ui holds ${spec.identity.username} with another ${what}`, context, { details: { failure: 'duplicate' } });
  if (kind === 'wireguard' && record.publicKey !== spec.identity.wireguard?.publicKey) throw conflict('WireGuard key');
  if (kind === 'mtproto' && mtprotoSecretParts(record.secret ?? '')?.core !== spec.identity.mtproto?.secretCore)
    throw conflict('MTProto secret');
}
