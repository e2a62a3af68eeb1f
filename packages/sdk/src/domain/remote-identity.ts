import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import {
  type EntitlementKind,
  MtprotoSecretCoreSchema,
  WireGuardKeySchema,
  wireGuardKeyPairOf,
  wireGuardPublicKey,
} from './entitlement.js';

/**
 * Checks a derived identity's uuid. Made once: zod builds a schema's internals when it is made, which cost more than
 * the check itself.
 */
const DerivedUuidSchema = z.uuid();

/** The longest username or credential of a remote identity, in UTF-16 units (each is at least 1). */
export const REMOTE_FIELD_MAX_LENGTH = 255;

/**
 * The fields of an identity that break the derived identity's rules (a derived identity fits every panel's rules at
 * once, see `RemoteIdentitySchema`): what the schema refuses of an identity not `adopted`, and what the storages' hand
 * check of a placement's subscription (`parsePlacement`) refuses without zod.
 */
export function underivedFields(identity: Pick<RemoteIdentity, 'username' | 'uuid' | 'password' | 'subId' | 'ssKey'>): string[] {
  const rules: [string, boolean][] = [
    ['username', /^[a-z0-9_]{3,32}$/.test(identity.username)],
    ['uuid', DerivedUuidSchema.safeParse(identity.uuid).success],
    ['password', identity.password.length >= 16 && identity.password.length <= 64],
    ['subId', /^[a-z0-9]{16}$/.test(identity.subId)],
    ['ssKey', identity.ssKey.length >= 40 && identity.ssKey.length <= 64],
  ];
  return rules.filter(([, ok]) => !ok).map(([field]) => field);
}

/**
 * The identity a subscription's client has on its panel. It is derived, never random (except for
 * an adopted client, see `adopted`): the same
 * subscription id, generation and shop secret always give the same identity, so a job retried
 * after a lost response finds the client it created and adopts it instead of making a second one.
 *
 * The username fits every panel's rules at once: 3–32 characters of `[a-z0-9_]` (Marzban),
 * already lower-case (Marzneshin lower-cases), and unique per shop secret (3x-ui's email is
 * unique across a whole panel, so two shops sharing a panel must not collide).
 *
 * The credentials (uuid, password, subId, ssKey) are keyed by the shop secret: subscription ids
 * may be visible to buyers, and a subId alone opens a subscription link.
 */
export const RemoteIdentitySchema = z
  .object({
    /** Email on 3x-ui, username on Marzban/Marzneshin, name on S-UI. */
    username: z.string().min(1).max(REMOTE_FIELD_MAX_LENGTH),
    /** VLESS/VMess id. */
    uuid: z.string().min(1).max(REMOTE_FIELD_MAX_LENGTH),
    /** Trojan, Hysteria, TUIC and similar passwords. */
    password: z.string().min(1).max(REMOTE_FIELD_MAX_LENGTH),
    /** 3x-ui subscription id, 16 characters of `[a-z0-9]`. */
    subId: z.string().min(1).max(REMOTE_FIELD_MAX_LENGTH),
    /** A 32-byte base64 key for Shadowsocks 2022 (16-byte methods use its first 16 bytes). */
    ssKey: z.string().min(1).max(REMOTE_FIELD_MAX_LENGTH),
    /** Bumped to rotate credentials; the username stays. */
    generation: z.number().int().nonnegative(),
    /**
     * True for a client that existed on its panel before the shop (brought over by `kit.importShop`):
     * its username, and its credentials where the old shop recorded them, are the panel's own, so
     * they follow that panel's rules rather than the derived ones, and every job addresses the client
     * by this username. Absent (or false) for a derived identity.
     */
    adopted: z.boolean().optional(),
    /**
     * A WireGuard or AmneziaWG part's key pair (base64 of 32 bytes each). Derived like the rest, so a retried create
     * sends the same private key and adopts the peer it made; the panel chooses the peer's address. Absent for other kinds.
     */
    wireguard: z.object({ privateKey: WireGuardKeySchema, publicKey: WireGuardKeySchema }).optional(),
    /** A Telegram proxy part's 16-byte secret core (32 lower-case hex); the panel's adapter writes it in its panel's form. */
    mtproto: z.object({ secretCore: MtprotoSecretCoreSchema }).optional(),
  })
  .superRefine((identity, ctx) => {
    // zod runs this refinement even when a field failed: a malformed private key is already an issue, not a throw here.
    const wireguard = identity.wireguard;
    if (
      wireguard !== undefined &&
      WireGuardKeySchema.safeParse(wireguard.privateKey).success &&
      wireGuardPublicKey(wireguard.privateKey) !== wireguard.publicKey
    )
      ctx.addIssue({ code: 'custom', path: ['wireguard', 'publicKey'], message: "not the private key's public key" });
    if (identity.adopted === true) return;
    for (const field of underivedFields(identity)) ctx.addIssue({ code: 'custom', path: [field], message: `not a derived ${field}` });
  });
/** The credentials a subscription's client has on its panel (see `RemoteIdentitySchema`). */
export type RemoteIdentity = z.infer<typeof RemoteIdentitySchema>;

/** The shop-wide settings identities are derived with. */
export interface RemoteIdentityOptions {
  /** The shop's identity secret: at least 16 characters, kept stable for the shop's lifetime. */
  secret: string;
  /** Username prefix: 1–10 of `[a-z0-9]`, to tell this shop's clients apart on a panel. Default `pk`. */
  prefix?: string;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length >= length) break;
  }
  if (out.length < length) throw new Error('not enough bytes for the requested length');
  return out;
}

function formatUuid(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4 layout, so strict validators accept it
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Derives the username, uuid, password, subId and Shadowsocks key of a subscription's client, as an
 * HMAC-SHA256 of its id under the shop's secret: deterministic (a retried create adopts the client it
 * made), valid on every panel kind, different per secret, and not guessable from the id. Bumping
 * `generation` rotates every credential but the username. A `wireguard` or `amneziawg` part also gets a
 * key pair, an `mtproto` part a secret core, derived the same way. Throws `ConfigurationError` for a secret
 * under 16 characters, a bad prefix or a negative generation.
 */
export function deriveRemoteIdentity(
  subscriptionId: string,
  generation: number,
  options: RemoteIdentityOptions,
  kind: EntitlementKind = 'xray',
): RemoteIdentity {
  const prefix = options.prefix ?? 'pk';
  if (!/^[a-z0-9]{1,10}$/.test(prefix)) throw new ConfigurationError('the identity prefix must be 1–10 of a-z 0-9');
  if (options.secret.length < 16) throw new ConfigurationError('the identity secret must be at least 16 characters');
  if (!Number.isInteger(generation) || generation < 0) throw new ConfigurationError('generation must be a non-negative integer');
  const mac = (purpose: string): Buffer => createHmac('sha256', options.secret).update(`${purpose}\u0000${subscriptionId}`).digest();
  const credential = (purpose: string): Buffer => mac(`${purpose}\u0000${generation}`);
  return {
    username: `${prefix}_${base32(mac('username'), 16)}`,
    uuid: formatUuid(credential('uuid')),
    password: base32(credential('password'), 24),
    subId: base32(credential('subid'), 16),
    ssKey: credential('sskey').toString('base64'),
    generation,
    ...(kind === 'wireguard' || kind === 'amneziawg' ? { wireguard: wireGuardKeyPairOf(credential('wgkey')) } : {}),
    ...(kind === 'mtproto' ? { mtproto: { secretCore: credential('mtproto').subarray(0, 16).toString('hex') } } : {}),
  };
}

/** The kind an identity's credentials were derived for: `wireguard` where it holds a key pair (AmneziaWG's too), `mtproto` where a secret core. */
function credentialKind(identity: RemoteIdentity): EntitlementKind {
  if (identity.wireguard !== undefined) return 'wireguard';
  return identity.mtproto !== undefined ? 'mtproto' : 'xray';
}

/**
 * The identity a subscription's client has at `generation`: the stored one while the generation is
 * unchanged (so an adopted client keeps the username and credentials it had on its panel), else
 * freshly derived credentials; an adopted client keeps its username across rotations, so every
 * later job still addresses the same client.
 */
export function identityAtGeneration(
  current: RemoteIdentity,
  subscriptionId: string,
  generation: number,
  options: RemoteIdentityOptions,
): RemoteIdentity {
  if (generation === current.generation) return current;
  const derived = deriveRemoteIdentity(subscriptionId, generation, options, credentialKind(current));
  return current.adopted === true ? { ...derived, username: current.username, adopted: true } : derived;
}
