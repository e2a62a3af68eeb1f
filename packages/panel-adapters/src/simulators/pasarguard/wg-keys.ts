/**
 * WireGuard keys as PasarGuard checks and makes them (`app/utils/crypto.py`): a key is base64 of exactly 32 bytes
 * (missing padding tolerated, re-encoded canonically), a public key is X25519 of the private one, and a fresh pair
 * comes from a random X25519 key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { wireGuardPublicKey } from '@panelkit/sdk/adapter';

/** `validate_wireguard_key`: the canonical base64 of a 32-byte key, or `null` when it is not one. */
export function normalizeWireGuardKey(value: string): string | null {
  const text = value.trim();
  const padded = text + '='.repeat((4 - (text.length % 4)) % 4);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(padded) || padded.length % 4 !== 0) return null;
  const bytes = Buffer.from(padded, 'base64');
  return bytes.length === 32 ? bytes.toString('base64') : null;
}

/** The public key of a (normalised) private key. */
export function publicKeyOf(privateKey: string): string {
  return wireGuardPublicKey(privateKey);
}

/** `generate_wireguard_keypair`: a random X25519 pair, both base64. */
export function randomWireGuardKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const d = privateKey.export({ format: 'jwk' }).d as string;
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { privateKey: Buffer.from(d, 'base64url').toString('base64'), publicKey: Buffer.from(x, 'base64url').toString('base64') };
}
