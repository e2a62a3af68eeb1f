/**
 * A 3x-ui WireGuard inbound's address pool, counted from its clients as the panel allocates (panels doc §2): the /24
 * of the first IPv4 client address (else `10.0.0.0/24`), hosts from `.2` to the end of the range, one `/32` each;
 * from v3.6.0 a full /24 widens to its /16. The panel reports no pool, so this is what `listTargets` tells.
 */
const DEFAULT_BASE = 10 * 2 ** 24;

function ipv4(entry: string): number | null {
  const parts = (entry.trim().split('/')[0] ?? '').split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Addresses in all and still free, from every address the inbound's clients hold. */
export function wireguardPool(addresses: readonly string[], widens: boolean): { capacity: number; free: number } {
  const hosts = addresses.map(ipv4).filter((host): host is number => host !== null);
  const first = hosts.find((host) => host !== 0);
  const base = first === undefined ? DEFAULT_BASE : first - (first % 256);
  const size = widens ? 2 ** 16 : 256;
  const start = base - (base % size);
  const capacity = size - 2;
  const taken = new Set(hosts.filter((host) => host >= start + 2 && host < start + size));
  return { capacity, free: capacity - taken.size };
}
