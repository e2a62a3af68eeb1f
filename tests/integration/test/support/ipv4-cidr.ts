/** IPv4 CIDR arithmetic the WireGuard tunnel harness needs to decide which of a client's AllowedIPs to route. */

/** An IPv4 network: its first address as an unsigned 32-bit number and its prefix length. */
export interface Ipv4Network {
  readonly base: number;
  readonly prefix: number;
}

/** `a.b.c.d` as an unsigned 32-bit number, or undefined when it is no dotted-quad IPv4 address. */
function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** The mask of a prefix length as an unsigned 32-bit number (0 for /0). */
function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * `10.66.0.1/24` (or a bare address, taken as /32) as the network it lies in (`10.66.0.0/24`); undefined for an
 * IPv6 or malformed value.
 */
export function parseIpv4Cidr(cidr: string): Ipv4Network | undefined {
  const [ip = '', prefixText, ...rest] = cidr.trim().split('/');
  if (rest.length > 0) return undefined;
  const address = ipv4ToNumber(ip);
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (address === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return { base: (address & maskOf(prefix)) >>> 0, prefix };
}

/** Whether every address of `inner` lies in `outer`. */
export function ipv4NetworkContains(outer: Ipv4Network, inner: Ipv4Network): boolean {
  return inner.prefix >= outer.prefix && (inner.base & maskOf(outer.prefix)) >>> 0 === outer.base;
}

/** The address part of a CIDR (`10.66.0.1/24` → `10.66.0.1`). */
export function addressOf(cidr: string): string {
  return cidr.trim().split('/')[0] ?? '';
}
