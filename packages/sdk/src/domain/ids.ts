import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function encode(prefix: string, bytes: Uint8Array): string {
  let id = '';
  for (let i = 0; i < 20; i++) id += ALPHABET[bytes[i]! & 31];
  return `${prefix}_${id}`;
}

/** Random bytes drawn 20 at a time from one buffer: a `randomBytes` call per id cost more than the rest of the id. */
const POOL_BYTES = 20 * 256;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

function random20(): Uint8Array {
  if (poolOffset + 20 > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 20);
  poolOffset += 20;
  return bytes;
}

/** A random id with a readable prefix, e.g. `sub_k3j9…`: 100 random bits, URL- and SQL-safe. */
export function createId(prefix: string): string {
  return encode(prefix, random20());
}

/**
 * The id a key stands for, e.g. `job_…` for one idempotency key: the same key always gives the
 * same id, so a row's primary key can make "at most one per key" hold across processes.
 */
export function keyedId(prefix: string, key: string): string {
  return encode(prefix, createHash('sha256').update(key).digest());
}
