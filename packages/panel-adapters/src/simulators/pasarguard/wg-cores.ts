/**
 * The simulated PasarGuard's WireGuard cores (`app/core/wireguard.py` `WireGuardConfig._validate`,
 * `app/operation/core.py` `_validate_wireguard_subnet`): a `wg` core's config, checked with the panel's messages,
 * whose `interface_name` is also its inbound tag and whose `address` CIDRs are the server's addresses and the
 * clients' subnets. IPv4 only: an IPv6 entry is refused (the simulator does not model IPv6 pools).
 */
import { normalizeWireGuardKey, publicKeyOf } from './wg-keys.js';

/** A host of a WireGuard inbound (`WireGuardHostOverrides` and the endpoint), one `.conf` and one link each. */
export interface SimWireGuardHost {
  remark: string;
  /** The endpoint's address; default the server's. */
  address?: string;
  /** The endpoint's port; default the core's `listen_port`. */
  port?: number;
  /** Default `0.0.0.0/0, ::/0`. */
  allowedIps?: string[];
  mtu?: number;
  dns?: string[];
  keepaliveSeconds?: number;
}

/** A `wg` core as the panel stores it, with what it derived. */
export interface SimWireGuardCore {
  id: number;
  name: string;
  createdAt: number;
  /** The config as the admin sent it (the panel stores it so, without the derived public key). */
  config: Record<string, unknown>;
  interfaceName: string;
  privateKey: string;
  publicKey: string;
  preSharedKey: string | null;
  listenPort: number;
  /** The server's interface addresses, normalised (`10.8.0.1/24`). */
  addresses: string[];
  hosts: SimWireGuardHost[];
}

/** An IPv4 subnet: its network address as an integer, its prefix length and its size. */
export interface Ipv4Subnet {
  network: number;
  prefix: number;
  size: number;
}

/** `a.b.c.d` as an unsigned integer, or `null`. */
export function ipv4ToInt(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return null;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** An unsigned integer as `a.b.c.d`. */
export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** `ip_interface(text)`: the address and prefix (`/32` when none), or `null` when it is not an IPv4 interface. */
export function parseIpv4Interface(text: string): { ip: number; prefix: number } | null {
  const [address, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || address === undefined) return null;
  const ip = ipv4ToInt(address);
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (ip === null || !(prefix >= 0 && prefix <= 32)) return null;
  return { ip, prefix };
}

/** The subnet an interface address lies in. */
export function subnetOf(iface: { ip: number; prefix: number }): Ipv4Subnet {
  const size = 2 ** (32 - iface.prefix);
  return { network: Math.floor(iface.ip / size) * size, prefix: iface.prefix, size };
}

/** `10.8.0.0/24`. */
export function subnetKey(subnet: Ipv4Subnet): string {
  return `${intToIpv4(subnet.network)}/${subnet.prefix}`;
}

/** The distinct client subnets of a core, from its interface addresses (`wg_core_subnets`). */
export function coreSubnets(core: Pick<SimWireGuardCore, 'addresses'>): Ipv4Subnet[] {
  const seen = new Map<string, Ipv4Subnet>();
  for (const cidr of core.addresses) {
    const iface = parseIpv4Interface(cidr);
    if (iface === null) continue;
    const subnet = subnetOf(iface);
    if (!seen.has(subnetKey(subnet))) seen.set(subnetKey(subnet), subnet);
  }
  return [...seen.values()];
}

function overlaps(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

/**
 * Checks a `POST /api/core` body of type `wg` as the panel does, in its order: the subnets first (none, or one
 * overlapping another core's without being identical), then the config's fields. The panel's 400 message, or the
 * core to store.
 */
export function validateWireGuardCore(
  body: { name?: unknown; config: Record<string, unknown> },
  others: readonly SimWireGuardCore[],
): { error: string } | { core: Omit<SimWireGuardCore, 'id' | 'createdAt' | 'hosts'> } {
  const config = body.config;
  const rawAddresses = Array.isArray(config.address) ? config.address : [];
  if (rawAddresses.some((entry) => typeof entry === 'string' && entry.includes(':')))
    return { error: 'the simulator does not model IPv6 WireGuard subnets' };
  const subnets = coreSubnets({ addresses: rawAddresses.filter((entry): entry is string => typeof entry === 'string') });
  if (subnets.length === 0) return { error: 'WireGuard core needs an IPv4 or IPv6 interface address' };
  for (const other of others)
    for (const subnet of subnets)
      for (const otherSubnet of coreSubnets(other))
        if (subnetKey(subnet) !== subnetKey(otherSubnet) && overlaps(subnet, otherSubnet))
          return {
            error: `WireGuard subnet ${subnetKey(subnet)} overlaps ${subnetKey(otherSubnet)} of core '${other.name}' — use the identical CIDR or a disjoint subnet`,
          };

  const interfaceName = String(config.interface_name ?? '').trim();
  if (!interfaceName) return { error: 'interface_name is required' };
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(interfaceName))
    return { error: "interface_name must start with a letter or digit and contain only letters, digits, '_', '.', or '-'" };
  const privateText = String(config.private_key ?? '').trim();
  if (!privateText) return { error: 'private_key is required' };
  const privateKey = normalizeWireGuardKey(privateText);
  if (privateKey === null) return { error: 'Invalid private_key.' };
  const pskText = String(config.pre_shared_key ?? '').trim();
  const preSharedKey = pskText ? normalizeWireGuardKey(pskText) : null;
  if (pskText && preSharedKey === null) return { error: 'Invalid pre_shared_key.' };
  const port = config.listen_port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535)
    return { error: 'listen_port must be an integer between 1 and 65535' };
  if (!Array.isArray(config.address)) return { error: 'address must be a list' };
  const addresses: string[] = [];
  for (const entry of config.address) {
    if (typeof entry !== 'string' || !entry.trim()) return { error: 'address entries must be valid CIDR strings' };
    const iface = parseIpv4Interface(entry);
    if (iface === null) return { error: `'${entry.trim()}' does not appear to be an IPv4 or IPv6 interface` };
    addresses.push(`${intToIpv4(iface.ip)}/${iface.prefix}`);
  }
  return {
    core: {
      name: typeof body.name === 'string' ? body.name : interfaceName,
      config,
      interfaceName,
      privateKey,
      publicKey: publicKeyOf(privateKey),
      preSharedKey,
      listenPort: port,
      addresses,
    },
  };
}

/** `CoreResponse` of a `wg` core. */
export function wireGuardCoreBody(core: SimWireGuardCore, createdAt: string | null): Record<string, unknown> {
  return {
    name: core.name,
    config: core.config,
    type: 'wg',
    exclude_inbound_tags: [],
    fallbacks_inbound_tags: [],
    id: core.id,
    created_at: createdAt,
  };
}
