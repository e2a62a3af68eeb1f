import { isIP } from 'node:net';

/** An IPv4 WireGuard pool as a panel keeps it: the peers' addresses, without the network, broadcast and server addresses. */
export interface AddressPool {
  /** The pool as given, e.g. `10.8.0.0/29`. */
  readonly cidr: string;
  /** Every address a peer may get, lowest first, each with its `/32`. */
  readonly hosts: readonly string[];
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function toIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * The pool of an IPv4 CIDR: its first address is the network, its second the server's, its last the broadcast;
 * the rest go to peers. Throws `RangeError` for anything but an IPv4 network of at least four addresses.
 */
export function addressPool(cidr: string): AddressPool {
  const [ip = '', bits = ''] = cidr.split('/');
  const prefix = /^\d{1,2}$/.test(bits) ? Number(bits) : Number.NaN;
  if (isIP(ip) !== 4 || !(prefix >= 0 && prefix <= 30))
    throw new RangeError(`a WireGuard pool is an IPv4 network of /30 or wider, not "${cidr}"`);
  const size = 2 ** (32 - prefix);
  const network = toNumber(ip) - (toNumber(ip) % size);
  const hosts: string[] = [];
  for (let value = network + 2; value < network + size - 1; value++) hosts.push(`${toIp(value)}/32`);
  return { cidr, hosts };
}

/** An address as the pool writes it (`10.8.0.2` → `10.8.0.2/32`). */
export function poolAddress(address: string): string {
  return address.includes('/') ? address : `${address}/32`;
}

/** The address a new peer gets: the first of `preferred` that is in the pool and free, else the lowest free; `null` when none is. */
export function allocate(pool: AddressPool, taken: ReadonlySet<string>, preferred: readonly string[] = []): string | null {
  const hosts = new Set(pool.hosts);
  const wished = preferred.map(poolAddress).find((address) => hosts.has(address) && !taken.has(address));
  return wished ?? pool.hosts.find((address) => !taken.has(address)) ?? null;
}
