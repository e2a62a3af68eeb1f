import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The network an address counts as for the guard: an IPv4 address is its own `/32`, an IPv6 address its `/64`
 * (privacy addresses rotate inside one `/64`), and an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) its IPv4 `/32`.
 * Answers `a.b.c.d/32` or the first four hextets in full (`2001:0db8:0000:0001::/64`); `null` for anything that is
 * not an address (a panel's junk is dropped, never counted).
 */
export function guardAddressPrefix(address: string): string | null {
  let text = address.trim();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const family = isIP(text);
  if (family === 4) return `${text.split('.').map(Number).join('.')}/32`;
  if (family !== 6) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped !== null) return `${mapped[1]!.split('.').map(Number).join('.')}/32`;
  const groups = expandIpv6(text.toLowerCase());
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of a valid IPv6 address, each four digits (an embedded IPv4 tail read as two). */
function expandIpv6(text: string): string[] {
  let body = text;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(body);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    body = `${body.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = body.includes('::') ? (body.split('::') as [string, string]) : [body, null];
  const left = head === '' ? [] : head.split(':');
  const right = tail === null || tail === '' ? [] : tail.split(':');
  const middle = tail === null ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => g.padStart(4, '0'));
}

/**
 * The key the guard hashes prefixes with, derived from the shop's identity secret (the one `deriveRemoteIdentity`
 * takes) under a purpose of its own, so a stored prefix hash matches nothing else the shop hashes.
 */
export function guardHashKey(identitySecret: string): Buffer {
  return createHmac('sha256', identitySecret).update('panelkit:guard-address-prefix').digest();
}

/**
 * The distinct networks among a client's addresses, as keyed SHA-256 prefix hashes (16 hex digits each), sorted:
 * what the guard may keep of a reading. Plain addresses are never kept; addresses that are not addresses are dropped.
 */
export function guardPrefixHashes(addresses: readonly string[], key: Buffer): string[] {
  const hashes = new Set<string>();
  for (const address of addresses) {
    const prefix = guardAddressPrefix(address);
    if (prefix !== null) hashes.add(createHmac('sha256', key).update(prefix).digest('hex').slice(0, 16));
  }
  return [...hashes].sort();
}
