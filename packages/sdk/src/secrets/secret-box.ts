import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';
import { ConfigurationError, type PanelkitErrorOptions } from '../errors.js';

/**
 * A key the storage cannot open a value with: the value names a key id the box does not hold
 * (a retired or missing key), or the key under that id is not the one it was sealed with, or the
 * value was changed. Thrown at start-up by the storages' checks, so a wrong key stops the host
 * before it serves anything; never answered by falling back to plain text.
 */
export class SecretKeyError extends ConfigurationError {
  static override readonly errorName: string = 'SecretKeyError';
  constructor(message: string, options: PanelkitErrorOptions = {}) {
    super(message, options);
  }
}

/** One key of a {@link SecretBox}: a short id stored beside every value it seals, and 32 random bytes. */
export interface SecretKey {
  /** 1–32 letters, digits, `_` or `-`; never reuse an id for a different key. */
  readonly id: string;
  /** Exactly 32 bytes (AES-256). */
  readonly key: Uint8Array;
}

/**
 * Seals and opens the secrets a host must read back (panel passwords and tokens, gateway keys, bot
 * tokens) with AES-256-GCM, an authenticated cipher: a changed value, a value moved to another row
 * (the `context` is authenticated) or the wrong key fails to open, with a {@link SecretKeyError}.
 *
 * The keys come from the host's environment and never from the database, so a dump or backup of the
 * database opens no panel. The first key seals; every key opens, so a key is rotated by putting the
 * new one first (keeping the old one after it), re-sealing what is stored (`resealSecrets` in
 * `@panelkit/storage-postgres`, run while the shop serves), then dropping the old key.
 *
 * A sealed value is one string, `pk1.<keyId>.<iv>.<ciphertext+tag>` (base64url), so it fits a text or
 * jsonb column and says which key opens it.
 */
export interface SecretBox {
  /** The id of the key new values are sealed with. */
  readonly currentKeyId: string;
  /** Every key id this box can open, the current one first. */
  readonly keyIds: readonly string[];
  /** Seals `plaintext` under the current key; `context` (e.g. `panels.credentials:pnl_…`) must be given again to open it. */
  seal(plaintext: string, context: string): string;
  /** Opens a value {@link seal} made under any key of this box; throws {@link SecretKeyError} otherwise. */
  open(sealed: string, context: string): string;
  /** The key id a sealed value names, or `null` when `value` is not a sealed value (e.g. plain text). */
  keyIdOf(value: unknown): string | null;
}

const PREFIX = 'pk1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const SEALED = /^pk1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Nonces drawn at once: one call for the random bytes of 256 seals (a call for 12 bytes costs about as much as a seal's cipher). */
const NONCES_DRAWN = 256;
let nonces = Buffer.alloc(0);
let nextNonce = 0;

/**
 * A fresh random nonce: the next 12 bytes of a buffer filled from the CSPRNG, each byte used once (as Node's own
 * `randomUUID` caches its random bytes), so a nonce is exactly as random as `randomBytes(12)` gave it.
 */
function freshNonce(): Buffer {
  if (nextNonce === nonces.byteLength) {
    nonces = randomFillSync(Buffer.allocUnsafe(IV_BYTES * NONCES_DRAWN));
    nextNonce = 0;
  }
  const nonce = nonces.subarray(nextNonce, nextNonce + IV_BYTES);
  nextNonce += IV_BYTES;
  return nonce;
}

/** Whether `value` is a sealed value (`pk1.<keyId>.…`) as {@link SecretBox.seal} writes it, told apart from plain text without a key. */
export function isSealedValue(value: unknown): value is string {
  return typeof value === 'string' && SEALED.test(value);
}

/** Makes a {@link SecretBox} over `keys`; the first seals, all open. Throws `SecretKeyError` on a malformed or repeated key. */
export function createSecretBox(keys: readonly SecretKey[]): SecretBox {
  if (keys.length === 0) throw new SecretKeyError('a secret box needs at least one key');
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    if (!KEY_ID.test(id)) throw new SecretKeyError(`secret key id ${JSON.stringify(id)} must be 1–32 letters, digits, _ or -`);
    if (key.byteLength !== 32) throw new SecretKeyError(`secret key ${id} must be 32 bytes, not ${key.byteLength}`);
    if (byId.has(id)) throw new SecretKeyError(`secret key id ${id} is given twice`);
    byId.set(id, Buffer.from(key));
  }
  const currentKeyId = keys[0]!.id;
  const current = byId.get(currentKeyId)!;

  return Object.freeze({
    currentKeyId,
    keyIds: Object.freeze([...byId.keys()]),

    seal(plaintext: string, context: string): string {
      const iv = freshNonce();
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}.${currentKeyId}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },

    open(sealed: string, context: string): string {
      const match = SEALED.exec(sealed);
      if (match === null) throw new SecretKeyError(`a stored secret (${context}) is not a sealed value`);
      const [, keyId, iv, body] = match as unknown as [string, string, string, string];
      const key = byId.get(keyId);
      if (key === undefined) {
        throw new SecretKeyError(
          `a stored secret (${context}) is sealed with key ${keyId}, which is not among the keys given (${[...byId.keys()].join(', ')})`,
        );
      }
      const bytes = Buffer.from(body, 'base64url');
      if (bytes.byteLength < TAG_BYTES) throw new SecretKeyError(`a stored secret (${context}) is truncated`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(bytes.subarray(bytes.byteLength - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(0, bytes.byteLength - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new SecretKeyError(`key ${keyId} does not open a stored secret (${context}): the key is wrong or the value was changed`, {
          cause: error,
        });
      }
    },

    keyIdOf(value: unknown): string | null {
      if (typeof value !== 'string') return null;
      return SEALED.exec(value)?.[1] ?? null;
    },
  });
}

/**
 * Reads keys written as `id:base64,id:base64` (the first seals, the rest only open), e.g. from
 * `SHOP_SECRET_KEYS`. Throws `SecretKeyError` naming the bad entry (never echoing key material).
 */
export function parseSecretKeys(text: string): SecretKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new SecretKeyError('no secret keys given; expected id:base64key[,id:base64key…]');
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new SecretKeyError(`secret key #${index + 1} must be written id:base64key`);
    const id = entry.slice(0, colon);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.byteLength !== 32)
      throw new SecretKeyError(`secret key ${id} must decode to 32 bytes (base64 of 32 random bytes), not ${key.byteLength}`);
    return { id, key };
  });
}

/** Writes keys the way {@link parseSecretKeys} reads them. */
export function formatSecretKeys(keys: readonly SecretKey[]): string {
  return keys.map(({ id, key }) => `${id}:${Buffer.from(key).toString('base64')}`).join(',');
}

/** A new random key with this id, e.g. for a rotation or a demo's generated key. */
export function generateSecretKey(id: string): SecretKey {
  return { id, key: randomBytes(32) };
}
