import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** A random id with a readable prefix, e.g. `sub_k3j9…`: 100 random bits, URL- and SQL-safe. */
export function createId(prefix: string): string {
  const bytes = randomBytes(20);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return `${prefix}_${id}`;
}
