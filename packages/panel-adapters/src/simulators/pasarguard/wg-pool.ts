/**
 * The simulated PasarGuard's WireGuard address pools (`app/db/crud/wireguard.py`): one namespace per distinct client
 * subnet of the `wg` cores, shared by the cores that name it; the network, the last address and every server address
 * reserved; a user gets the lowest free offset of each subnet it reaches (one `/32` each), keeps the ones it holds,
 * and gives back those it no longer reaches. Peer IPs are never taken from input. Addresses taken here are read
 * from the users themselves (plus any an admin's other users hold, `hold`), so a deleted user's address is free
 * at once. Not modelled: the 10 000-entry cap on `free_offsets`, overlapping subnets (refused at core creation).
 */
import { coreSubnets, intToIpv4, parseIpv4Interface, subnetKey, type Ipv4Subnet, type SimWireGuardCore } from './wg-cores.js';

/** One allocation namespace: a client subnet, the tags of the cores on it, and its reserved offsets. */
export interface WireGuardNamespace {
  key: string;
  subnet: Ipv4Subnet;
  tags: Set<string>;
  reserved: Set<number>;
}

/** A user as the pool sees it: its id and stored peer IPs. */
export interface PoolHolder {
  id: number;
  peerIps: readonly string[];
}

/** The `ValueError` of an exhausted subnet, as the panel words it. */
export class SubnetExhaustedError extends Error {}

/** The namespaces of `cores` (`wg_namespaces`), by subnet key. */
export function namespacesOf(cores: readonly SimWireGuardCore[]): Map<string, WireGuardNamespace> {
  const namespaces = new Map<string, WireGuardNamespace>();
  for (const core of cores) {
    for (const subnet of coreSubnets(core)) {
      const key = subnetKey(subnet);
      const ns = namespaces.get(key) ?? { key, subnet, tags: new Set<string>(), reserved: new Set([0, subnet.size - 1]) };
      ns.tags.add(core.interfaceName);
      for (const cidr of core.addresses) {
        const iface = parseIpv4Interface(cidr);
        if (iface && iface.ip >= subnet.network && iface.ip < subnet.network + subnet.size) ns.reserved.add(iface.ip - subnet.network);
      }
      namespaces.set(key, ns);
    }
  }
  return namespaces;
}

function hostOf(entry: string): number | null {
  return parseIpv4Interface(entry)?.ip ?? null;
}

function namespaceOf(namespaces: Map<string, WireGuardNamespace>, ip: number): WireGuardNamespace | undefined {
  return [...namespaces.values()].find((ns) => ip >= ns.subnet.network && ip < ns.subnet.network + ns.subnet.size);
}

function valid(ns: WireGuardNamespace, offset: number): boolean {
  return offset > 0 && offset < ns.subnet.size - 1 && !ns.reserved.has(offset);
}

/** The offsets of `ns` other users hold (and `held`, addresses taken outside the simulated users). */
export function takenOffsets(
  ns: WireGuardNamespace,
  holders: Iterable<PoolHolder>,
  held: ReadonlySet<number>,
  except?: number,
): Set<number> {
  const taken = new Set(held);
  for (const holder of holders) {
    if (holder.id === except) continue;
    for (const entry of holder.peerIps) {
      const ip = hostOf(entry);
      if (ip !== null && ip >= ns.subnet.network && ip < ns.subnet.network + ns.subnet.size) taken.add(ip - ns.subnet.network);
    }
  }
  return taken;
}

/** The free offsets of `ns`, lowest first. */
export function freeOffsets(ns: WireGuardNamespace, taken: ReadonlySet<number>): number[] {
  const free: number[] = [];
  for (let offset = 1; offset < ns.subnet.size - 1; offset++) if (valid(ns, offset) && !taken.has(offset)) free.push(offset);
  return free;
}

/**
 * `sync_user_allocations` for one user reaching `tags`: the peer IPs it keeps, and one new address per reachable
 * subnet it has none in (the lowest free offset), sorted. Throws {@link SubnetExhaustedError} when a subnet is full;
 * nothing is changed then (the caller stores the result only on success).
 */
export function allocate(
  user: PoolHolder,
  tags: ReadonlySet<string>,
  namespaces: Map<string, WireGuardNamespace>,
  holders: Iterable<PoolHolder>,
  held: (key: string) => ReadonlySet<number>,
): string[] {
  const targets = [...namespaces.values()].filter((ns) => [...ns.tags].some((tag) => tags.has(tag)));
  const kept = new Map<string, number>();
  for (const entry of user.peerIps) {
    const ip = hostOf(entry);
    const ns = ip === null ? undefined : namespaceOf(namespaces, ip);
    if (ns === undefined || ip === null || !targets.includes(ns) || kept.has(ns.key)) continue;
    if (valid(ns, ip - ns.subnet.network)) kept.set(ns.key, ip);
  }
  const others = [...holders];
  for (const ns of targets.sort((a, b) => a.key.localeCompare(b.key))) {
    if (kept.has(ns.key)) continue;
    const [offset] = freeOffsets(ns, takenOffsets(ns, others, held(ns.key), user.id));
    if (offset === undefined) throw new SubnetExhaustedError(`WireGuard subnet ${ns.key} has no free addresses`);
    kept.set(ns.key, ns.subnet.network + offset);
  }
  return [...kept.values()].sort((a, b) => a - b).map((ip) => `${intToIpv4(ip)}/32`);
}

/** The peer IPs of `peerIps` inside `core`'s subnets (`pick_peer_ip_for_inbound`). */
export function peerIpsOn(core: SimWireGuardCore, peerIps: readonly string[]): string[] {
  const subnets = coreSubnets(core);
  return peerIps.filter((entry) => {
    const ip = hostOf(entry);
    return ip !== null && subnets.some((subnet) => ip >= subnet.network && ip < subnet.network + subnet.size);
  });
}

/** `GET /api/wireguard/subnets` (`get_subnet_usage`): per subnet, sorted by key, its capacity, use and free addresses. */
export function subnetUsage(
  namespaces: Map<string, WireGuardNamespace>,
  holders: Iterable<PoolHolder>,
  held: (key: string) => ReadonlySet<number>,
): Record<string, unknown>[] {
  const all = [...holders];
  return [...namespaces.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((ns) => {
      const capacity = freeOffsets(ns, new Set()).length;
      const free = freeOffsets(ns, takenOffsets(ns, all, held(ns.key)));
      return {
        subnet: ns.key,
        interface_tags: [...ns.tags].sort(),
        capacity,
        used: capacity - free.length,
        free: free.length,
        free_ips: free.map((offset) => intToIpv4(ns.subnet.network + offset)),
      };
    });
}
