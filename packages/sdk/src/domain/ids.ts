import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function encode(prefix: string, bytes: Uint8Array): string {
  let id = '';
  for (let i = 0; i < 20; i++) id += ALPHABET[bytes[i]! & 31];
  return `${prefix}_${id}`;
}

/** A random id with a readable prefix, e.g. `sub_k3j9…`: 100 random bits, URL- and SQL-safe. */
export function createId(prefix: string): string {
  return encode(prefix, randomBytes(20));
}

/**
 * The id a key stands for, e.g. `job_…` for one idempotency key: the same key always gives the
 * same id, so a row's primary key can make "at most one per key" hold across processes.
 */
export function keyedId(prefix: string, key: string): string {
  return encode(prefix, createHash('sha256').update(key).digest());
}
