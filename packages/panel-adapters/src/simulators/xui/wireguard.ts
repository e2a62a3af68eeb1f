/**
 * WireGuard clients as 3x-ui v3.4.2+ keeps them (`internal/web/service/client_wireguard.go`,
 * `internal/util/wireguard/wireguard.go`): an X25519 key pair made when none is given, the public key derived
 * from a given private key (base64, standard or URL alphabet, padded or not, or 64 hex), and one `/32` from
 * the /24 of the inbound's first IPv4 client (else `10.0.0.0/24`), scanned from `.2`; v3.6.0 widens a full /24
 * to its /16. A supplied `allowedIPs` is normalised (a bare address becomes a host prefix, duplicates drop)
 * and refused when another client of the inbound holds an entry. Written from the panel's behaviour, not
 * shared with the adapter, so a mistake on one side shows in the tests.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { goError } from './envelope.js';
import { text, type RawClient } from './state.js';

const DEFAULT_BASE = '10.0.0.0/24';
const POOL_FLOOR_BITS = 16;
/** PKCS#8 DER header of an X25519 private key; the 32 raw bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** `decodeWireguardKey`: the 32 raw bytes of a key, or the panel's error text. */
export function decodeKey(key: string): Buffer | string {
  if (key === '') return 'wireguard: empty key';
  if (key.length === 64 && /^[0-9a-fA-F]+$/.test(key)) return Buffer.from(key, 'hex');
  const trimmed = key.replace(/=+$/, '');
  const alphabet = /[+/]/.test(trimmed) ? /[A-Za-z0-9+/]/ : /[A-Za-z0-9_-]/;
  const bad = [...trimmed].findIndex((char) => !alphabet.test(char));
  if (bad >= 0 || trimmed.length % 4 === 1) return `illegal base64 data at input byte ${bad >= 0 ? bad : trimmed.length - 1}`;
  const raw = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return raw.length === 32 ? raw : 'wireguard: key must decode to 32 bytes';
}

/** `PublicKeyFromPrivate`: the base64 public key of a private key, or the panel's error text. */
export function publicKeyOf(privateKey: string): { publicKey: string } | { error: string } {
  const raw = decodeKey(privateKey);
  if (typeof raw === 'string') return { error: raw };
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { publicKey: spki.subarray(spki.length - 32).toString('base64') };
}

/** `GenerateWireguardKeypair`: 32 random bytes clamped, and the public key. */
export function generateKeyPair(): { privateKey: string; publicKey: string } {
  const raw = randomBytes(32);
  raw[0] = raw[0]! & 248;
  raw[31] = (raw[31]! & 127) | 64;
  const privateKey = raw.toString('base64');
  return { privateKey, publicKey: (publicKeyOf(privateKey) as { publicKey: string }).publicKey };
}

// ------------------------------------------------------------------ addresses (IPv4 as numbers)

/** Four decimal octets without leading zeros (each checked to be at most 255 after the match). */
const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

function parseIPv4(address: string): number | null {
  const match = IPV4.exec(address);
  if (match === null) return null;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i]);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** `netip.ParsePrefix` or `ParseAddr`, normalised as `prefix.String()`; null when neither parses. */
function normaliseEntry(entry: string): string | null {
  const [address = '', bits, ...rest] = entry.split('/');
  if (rest.length > 0) return null;
  const v4 = parseIPv4(address);
  const max = v4 !== null ? 32 : isIPv6(address) ? 128 : -1;
  if (max < 0) return null;
  if (bits === undefined) return `${v4 !== null ? address : address.toLowerCase()}/${max}`;
  if (!/^(0|[1-9]\d{0,2})$/.test(bits) || Number(bits) > max) return null;
  return `${v4 !== null ? address : address.toLowerCase()}/${bits}`;
}

/** The host address of an entry as a number (IPv4 only; others are not part of the pool). */
function hostOf(entry: string): number | null {
  return parseIPv4(entry.trim().split('/')[0] ?? '');
}

/** The allowedIPs entries a client holds (an array on the client, CSV in a record). */
export function entriesOf(client: RawClient): string[] {
  const value = client.allowedIPs;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return text(value)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A client's `allowedIPs` as read once: its entries, and the IPv4 host of each entry that has one, in order. */
interface ClientAddresses {
  /** The `allowedIPs` value read: the simulator replaces a client's value on a change, it never edits one in place. */
  readonly source: unknown;
  readonly entries: readonly string[];
  readonly hosts: readonly number[];
}

/**
 * Each client's reading, kept while it holds the same value: a v3.6 pool is a /16, and a full one (a test fills it
 * with ~65 000 placeholder clients) was split and parsed whole again on every create that scanned it.
 */
const readings = new WeakMap<RawClient, ClientAddresses>();

function addressesOf(client: RawClient): ClientAddresses {
  const source = client.allowedIPs;
  const known = readings.get(client);
  if (known !== undefined && known.source === source) return known;
  const entries = entriesOf(client);
  const hosts = entries.map(hostOf).filter((h): h is number => h !== null);
  const reading = { source, entries, hosts };
  readings.set(client, reading);
  return reading;
}

/** What the clients of an inbound hold: every allowedIPs entry, and the IPv4 hosts among them, in the clients' order. */
export function heldAddresses(clients: readonly RawClient[]): { entries: string[]; hosts: number[] } {
  const entries: string[] = [];
  const hosts: number[] = [];
  for (const client of clients) {
    const reading = addressesOf(client);
    for (const entry of reading.entries) entries.push(entry);
    for (const host of reading.hosts) hosts.push(host);
  }
  return { entries, hosts };
}

/** The scopes the panel scans, narrowest first: the base /24 (of the first client's IPv4 host), then (v3.6+) its /16. */
function scopesOf(hosts: readonly number[], widens: boolean): { start: number; size: number; cidr: string }[] {
  const first = hosts.find((h) => h !== 0);
  const base = first === undefined ? (parseIPv4(DEFAULT_BASE.split('/')[0]!) as number) : first - (first % 256);
  const scopes = [{ start: base, size: 256, cidr: `${formatIPv4(base)}/24` }];
  if (widens) {
    const wide = base - (base % 2 ** (32 - POOL_FLOOR_BITS));
    scopes.push({ start: wide, size: 2 ** (32 - POOL_FLOOR_BITS), cidr: `${formatIPv4(wide)}/${POOL_FLOOR_BITS}` });
  }
  return scopes;
}

/** `allocateWireguardAddress`: the first free host from `.2` of each scope, or the exhaustion error text. */
function allocate(hosts: readonly number[], widens: boolean): { address: string } | { error: string } {
  const taken = new Set(hosts);
  const scopes = scopesOf(hosts, widens);
  for (const scope of scopes) {
    for (let addr = scope.start + 2; addr < scope.start + scope.size; addr++)
      if (!taken.has(addr)) return { address: `${formatIPv4(addr)}/32` };
  }
  return { error: goError('wireguard: no free address available in', scopes[scopes.length - 1]!.cidr) };
}

/**
 * `defaultWireguardClients` for one new client of an inbound whose other clients are `existing`: fills the keys and
 * the address into `client`, or returns the panel's error text and leaves the stored clients as they were.
 */
export function fillWireguardClient(existing: readonly RawClient[], client: RawClient, widens: boolean): string | null {
  const used = heldAddresses(existing);
  const privateKey = text(client.privateKey);
  if (privateKey === '' && text(client.publicKey) === '') Object.assign(client, generateKeyPair());
  else if (text(client.publicKey) === '') {
    const derived = publicKeyOf(privateKey);
    if ('error' in derived) return goError(derived.error);
    client.publicKey = derived.publicKey;
  }
  const given = entriesOf(client);
  if (given.length === 0) {
    const allocated = allocate(used.hosts, widens);
    if ('error' in allocated) return allocated.error;
    client.allowedIPs = [allocated.address];
    return null;
  }
  const normalised = normaliseAllowedIPs(given);
  if (typeof normalised === 'string') return normalised;
  if (normalised.length === 0) return goError('wireguard: allowedIPs has no usable entry');
  const hit = collision(normalised, used.entries);
  if (hit !== null) return goError('wireguard: allowedIPs entry already used by another client:', hit);
  client.allowedIPs = normalised;
  return null;
}

/** `normalizeWireguardAllowedIPs`: host prefixes for bare addresses, duplicates dropped; the error text for a bad entry. */
export function normaliseAllowedIPs(values: readonly string[]): string[] | string {
  const out: string[] = [];
  for (const raw of values) {
    const value = raw.trim();
    if (value === '') continue;
    const norm = normaliseEntry(value);
    if (norm === null) return goError('wireguard: invalid allowedIPs entry:', value);
    if (!out.includes(norm)) out.push(norm);
  }
  return out;
}

/** `wireguardAllowedIPsCollision`: the first entry another client already holds, else null. */
export function collision(entries: readonly string[], used: readonly string[]): string | null {
  const taken = new Set(used.map((u) => u.trim()));
  return entries.find((entry) => taken.has(entry)) ?? null;
}

/** The free addresses left in an inbound's pool (what the panel would still hand out), counted from its clients. */
export function freeAddresses(clients: readonly RawClient[], widens: boolean): number {
  const { hosts } = heldAddresses(clients);
  const scopes = scopesOf(hosts, widens);
  const widest = scopes[scopes.length - 1]!;
  const taken = new Set(hosts.filter((h) => h >= widest.start + 2 && h < widest.start + widest.size));
  return widest.size - 2 - taken.size;
}

/** The next `count` free addresses, in the order the panel would give them (to fill a pool in one pass). */
export function nextFree(clients: readonly RawClient[], widens: boolean, count: number): string[] {
  const { hosts } = heldAddresses(clients);
  const taken = new Set(hosts);
  const out: string[] = [];
  for (const scope of scopesOf(hosts, widens)) {
    for (let addr = scope.start + 2; addr < scope.start + scope.size && out.length < count; addr++) {
      if (taken.has(addr)) continue;
      taken.add(addr);
      out.push(`${formatIPv4(addr)}/32`);
    }
  }
  return out;
}
