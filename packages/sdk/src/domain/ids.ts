import { createHash, randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function encode(prefix: string, bytes: Uint8Array): string {
  let id = '';
  for (let i = 0; i < 20; i++) id += ALPHABET[bytes[i]! & 31];
  return `${prefix}_${id}`;
}

/**
 * Random id characters made 5 120 at a time (random bytes, each turned into `ALPHABET[byte & 31]` in place) and read 20
 * an id as one string: building an id a character at a time from its own bytes took ~3 µs, a tenth of a queued job's
 * whole cost in `jobs.enqueueMany` (bench/queue).
 */
const POOL_CHARS = 20 * 256;
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const pool = Buffer.alloc(POOL_CHARS);
let poolOffset = POOL_CHARS;

/** A random id with a readable prefix, e.g. `sub_k3j9…`: 100 random bits, URL- and SQL-safe. */
export function createId(prefix: string): string {
  if (poolOffset + 20 > POOL_CHARS) {
    randomFillSync(pool);
    for (let i = 0; i < POOL_CHARS; i++) pool[i] = ALPHABET_CODES[pool[i]! & 31]!;
    poolOffset = 0;
  }
  const id = pool.toString('latin1', poolOffset, poolOffset + 20);
  poolOffset += 20;
  return `${prefix}_${id}`;
}

/** {@link ALPHABET} in byte order, so that ids compare (`COLLATE "C"`, `<` on strings) as the values they encode. */
const SORTED_ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';

/** `value` (a non-negative integer below 2^53) as `chars` characters of {@link SORTED_ALPHABET}, most significant first. */
function sortable(value: number, chars: number): string {
  let out = '';
  for (let i = chars - 1; i >= 0; i--) out += SORTED_ALPHABET[Math.floor(value / 2 ** (5 * i)) % 32];
  return out;
}

/** `value` (below 2^30) as `chars` (at most 6) characters of {@link SORTED_ALPHABET}, most significant first. */
function sortableSmall(value: number, chars: number): string {
  let out = '';
  for (let shift = 5 * (chars - 1); shift >= 0; shift -= 5) out += SORTED_ALPHABET[(value >>> shift) & 31];
  return out;
}

/** The last {@link createSortableId}'s millisecond, its 9 characters, and its 55-bit sequence as two parts. */
let lastMs = Number.NaN;
let lastTime = '';
let seqHigh = 0;
let seqLow = 0;
let seqHighChars = '';
const seed = Buffer.alloc(8);

/**
 * An id like {@link createId}'s (`job_` and 20 characters of the same 32, URL- and SQL-safe) whose characters sort as it
 * was made: 9 characters of `ms` (milliseconds since 1970, until the year 3084), then a 55-bit sequence that starts at a
 * random value (its top bit clear) each new millisecond and counts up within one (ULID's monotonic order). Ids made by
 * one process compare in the order they were made (`COLLATE "C"`, `<` on strings), within a millisecond too; two
 * processes' ids of one millisecond clash only if their random starts fall within as many ids of each other (about 1
 * in 2^43 for a thousand ids each).
 *
 * Why: a B-tree keyed by random ids takes each insert on a random leaf page; keyed by these, on its right-most one,
 * which PostgreSQL reaches without a descent and which stays in cache (the job queue's primary keys, bench/queue).
 * `ms` is the storage clock's time of the write; it is never read back: an id tells a caller nothing to rely on.
 */
export function createSortableId(prefix: string, ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = sortable(Math.max(0, Math.floor(ms)), 9);
    randomFillSync(seed);
    seqHigh = seed.readUInt32BE(0) >>> 8; // 24 bits: the top one of 25 clear, room to count up
    seqLow = seed.readUInt32BE(4) >>> 2; // 30 bits
    seqHighChars = sortableSmall(seqHigh, 5);
  } else if (++seqLow === 2 ** 30) {
    seqLow = 0;
    seqHigh = (seqHigh + 1) % 2 ** 25;
    seqHighChars = sortableSmall(seqHigh, 5);
  }
  return `${prefix}_${lastTime}${seqHighChars}${sortableSmall(seqLow, 6)}`;
}

/**
 * The id a key stands for, e.g. `job_…` for one idempotency key: the same key always gives the
 * same id, so a row's primary key can make "at most one per key" hold across processes.
 */
export function keyedId(prefix: string, key: string): string {
  return encode(prefix, createHash('sha256').update(key).digest());
}
