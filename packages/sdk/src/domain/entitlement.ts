import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';

/**
 * What one subscription sells its buyer: `xray` (a client on an Xray-type inbound, delivered as share links and a
 * subscription link the apps refresh from), `wireguard` (a WireGuard peer, delivered as a `.conf`), `amneziawg` (a
 * WireGuard peer behind AmneziaWG's obfuscation, which needs an AmneziaWG server and client) and `mtproto` (a Telegram
 * proxy secret). A plan sells one or more kinds (`Plan.kinds`); each subscription is exactly one of them.
 */
export const ENTITLEMENT_KINDS = ['xray', 'wireguard', 'amneziawg', 'mtproto'] as const;
/** Validates an entitlement kind (see {@link ENTITLEMENT_KINDS}). */
export const EntitlementKindSchema = z.enum(ENTITLEMENT_KINDS);
/** One of {@link ENTITLEMENT_KINDS}. */
export type EntitlementKind = z.infer<typeof EntitlementKindSchema>;

/** The kinds a plan, its terms or a target hold: one to four distinct kinds; absent (older records) reads `['xray']`. */
export const EntitlementKindsSchema = z
  .array(EntitlementKindSchema)
  .min(1)
  .max(ENTITLEMENT_KINDS.length)
  .refine((kinds) => new Set(kinds).size === kinds.length, 'each kind at most once');

/** What the engine and the hosts may assume of a kind whatever the panel: how it reaches the buyer. */
export interface KindTraits {
  /**
   * The buyer's app refreshes from the shop's link (xray); otherwise the buyer must import again whenever the
   * credentials, the server or the address change (a rotation, a move, an evacuation), and the host tells them.
   */
  readonly refreshesFromLink: boolean;
  /** How the buyer receives it: through the subscription feed, as a WireGuard config file, or as a Telegram proxy link. */
  readonly delivery: 'feed' | 'wireguard_config' | 'telegram_proxy';
  /**
   * Whether devices can be counted and limited: an app fetching the link sends a hardware id (xray). A WireGuard key
   * is one peer whatever the devices, and Telegram fetches no link; their parts are sold with no device limit.
   */
  readonly devicesCountable: boolean;
}

/** Each kind's {@link KindTraits}: the one place the engine and hosts read a kind's nature from. */
export const KIND_TRAITS: Readonly<Record<EntitlementKind, KindTraits>> = Object.freeze({
  xray: { refreshesFromLink: true, delivery: 'feed', devicesCountable: true },
  wireguard: { refreshesFromLink: false, delivery: 'wireguard_config', devicesCountable: false },
  amneziawg: { refreshesFromLink: false, delivery: 'wireguard_config', devicesCountable: false },
  mtproto: { refreshesFromLink: false, delivery: 'telegram_proxy', devicesCountable: false },
});

/** A WireGuard key as `wg genkey` and `wg pubkey` print it: base64 of exactly 32 bytes (44 characters, one `=`). */
export const WIREGUARD_KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/** Validates a WireGuard key as `wg genkey` and `wg pubkey` print it: base64 of exactly 32 bytes. */
export const WireGuardKeySchema = z.string().regex(WIREGUARD_KEY_PATTERN, 'must be a WireGuard key: base64 of 32 bytes');

/** A WireGuard key pair (see {@link WireGuardKeySchema}); the public key is X25519 of the private one. */
export interface WireGuardKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

/**
 * The WireGuard key pair of a 32-byte seed: the seed clamped as X25519 wants (RFC 7748 §5, as `wg genkey` does), and
 * its public key. Deterministic, so a key pair derived from a subscription's identity is the same on every retry.
 */
export function wireGuardKeyPairOf(seed: Uint8Array): WireGuardKeyPair {
  if (seed.length !== 32) throw new RangeError('a WireGuard key seed is 32 bytes');
  const key = Buffer.from(seed);
  key[0] = key[0]! & 248;
  key[31] = (key[31]! & 127) | 64;
  return { privateKey: key.toString('base64'), publicKey: wireGuardPublicKey(key.toString('base64')) };
}

/** The public key of a WireGuard private key (both base64 of 32 bytes), as `wg pubkey` prints it; throws `RangeError` on a malformed key. */
export function wireGuardPublicKey(privateKey: string): string {
  if (!WireGuardKeySchema.safeParse(privateKey).success) throw new RangeError('a WireGuard key is base64 of 32 bytes');
  const d = Buffer.from(privateKey, 'base64').toString('base64url');
  const publicJwk = createPublicKey(createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: '' }, format: 'jwk' })).export({
    format: 'jwk',
  });
  return Buffer.from(publicJwk.x as string, 'base64url').toString('base64');
}

/** An MTProto secret's 16-byte core as lower-case hex (32 characters): what a Telegram proxy secret is built around. */
export const MTPROTO_SECRET_CORE_PATTERN = /^[0-9a-f]{32}$/;
/** Validates an MTProto secret's 16-byte core written as 32 lower-case hex characters. */
export const MtprotoSecretCoreSchema = z.string().regex(MTPROTO_SECRET_CORE_PATTERN, 'must be 32 lower-case hex characters');

/** The forms a Telegram proxy secret is written in: `ee` + core + hex domain (FakeTLS), `dd` + core (padded), the core alone. */
export type MtprotoSecretForm = 'ee' | 'dd' | 'plain';

/** A Telegram proxy secret read apart: its form, its 16-byte core, and for FakeTLS the domain it mimics. */
export interface MtprotoSecretParts {
  readonly form: MtprotoSecretForm;
  readonly core: string;
  /** The FakeTLS domain (`ee` form); `null` for the others. */
  readonly domain: string | null;
}

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Reads a Telegram proxy secret written in hex (the only form our panels write): `ee` + 32 hex + the hex of a domain
 * name, `dd` + 32 hex, or 32 hex. `null` for anything else (a wrong length, an odd tail, a domain that is not one).
 */
export function mtprotoSecretParts(secret: string): MtprotoSecretParts | null {
  const hex = secret.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) return null;
  if (hex.length === 32) return { form: 'plain', core: hex, domain: null };
  if (hex.startsWith('dd') && hex.length === 34) return { form: 'dd', core: hex.slice(2), domain: null };
  if (!hex.startsWith('ee') || hex.length <= 34 || hex.length % 2 !== 0) return null;
  const domain = Buffer.from(hex.slice(34), 'hex').toString('latin1');
  return DOMAIN.test(domain) ? { form: 'ee', core: hex.slice(2, 34), domain } : null;
}

/** Writes a Telegram proxy secret of `core` in `form` (`ee` needs the FakeTLS `domain`); throws `RangeError` on a bad core or domain. */
export function mtprotoSecret(core: string, form: MtprotoSecretForm, domain?: string): string {
  if (!MtprotoSecretCoreSchema.safeParse(core).success) throw new RangeError('an MTProto secret core is 32 lower-case hex characters');
  if (form === 'plain') return core;
  if (form === 'dd') return `dd${core}`;
  const name = (domain ?? '').toLowerCase();
  if (!DOMAIN.test(name)) throw new RangeError('a FakeTLS secret needs a domain name');
  return `ee${core}${Buffer.from(name, 'latin1').toString('hex')}`;
}
