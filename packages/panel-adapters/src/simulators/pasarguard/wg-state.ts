/**
 * The simulated PasarGuard's WireGuard side, kept apart from the routes: its `wg` cores, the users' keys
 * (`app/utils/wireguard.py` `prepare_wireguard_keys`) and peer IPs (`wg-pool.ts`), the pool usage route's answer,
 * and what the node is sent (`wireGuardPeers`).
 */
import type { SimUser } from './state.js';
import { validateWireGuardCore, type SimWireGuardCore, type SimWireGuardHost } from './wg-cores.js';
import { publicKeyOf, randomWireGuardKeyPair } from './wg-keys.js';
import { allocate, freeOffsets, namespacesOf, peerIpsOn, SubnetExhaustedError, subnetUsage, takenOffsets } from './wg-pool.js';

/** A user's WireGuard block as stored (`WireGuardSettings`). */
export type SimWireGuardSettings = SimUser['proxySettings']['wireguard'];

/** What the node of one `wg` core is configured with: the server's side and its active peers. */
export interface WireGuardNodeConfig {
  interfaceName: string;
  listenPort: number;
  privateKey: string;
  /** The core's preshared key, applied to every peer; `null` when the core has none. */
  preSharedKey: string | null;
  /** The server's interface addresses (`10.8.0.1/24`). */
  addresses: string[];
  /** Users the panel sends to the node (active or on hold), each with its peer IPs in this core's subnets. */
  peers: { username: string; publicKey: string; allowedIps: string[] }[];
}

/** A `wg` core to start the simulator with: its `POST /api/core` body, and its hosts. */
export interface SimWireGuardCoreInput {
  name?: string;
  config: Record<string, unknown>;
  hosts?: SimWireGuardHost[];
}

/** A refusal with the panel's 400 message. */
export class WireGuardRefusal extends Error {}

/** The WireGuard cores, keys and pools of one simulated panel. */
export class WireGuardSimState {
  readonly cores: SimWireGuardCore[] = [];
  /** Offsets of each subnet taken outside the simulated users (`fillPool`). */
  readonly #held = new Map<string, Set<number>>();
  #nextId: number;

  /** `firstId`: the id the first `wg` core gets (the Xray core is 1). */
  constructor(firstId = 2) {
    this.#nextId = firstId;
  }

  /** The inbound tags of every `wg` core (`wg_core_tags`). */
  tags(): Set<string> {
    return new Set(this.cores.map((core) => core.interfaceName));
  }

  /** Adds a core as `POST /api/core` does; a {@link WireGuardRefusal} carries the panel's 400 message. */
  addCore(input: SimWireGuardCoreInput, nowMs: number): SimWireGuardCore {
    const checked = validateWireGuardCore(input, this.cores);
    if ('error' in checked) throw new WireGuardRefusal(checked.error);
    const core: SimWireGuardCore = { ...checked.core, id: this.#nextId++, createdAt: nowMs, hosts: [...(input.hosts ?? [])] };
    this.cores.push(core);
    return core;
  }

  /**
   * `prepare_wireguard_keys` for a user that reaches a `wg` core: a public key another user holds is refused, a
   * public key alone is refused, no key gets a random pair, a private key alone gets its public key. Unchanged for
   * a user that reaches none.
   */
  prepareKeys(
    settings: SimWireGuardSettings,
    reachesWireGuard: boolean,
    users: Iterable<SimUser>,
    exceptUserId?: number,
  ): SimWireGuardSettings {
    if (!reachesWireGuard) return settings;
    if (settings.public_key !== null)
      for (const other of users)
        if (other.id !== exceptUserId && other.proxySettings.wireguard.public_key === settings.public_key)
          throw new WireGuardRefusal('wireguard public_key is already assigned to another user');
    if (settings.public_key !== null && settings.private_key === null)
      throw new WireGuardRefusal('wireguard private_key is required when user is assigned to a WireGuard interface');
    if (settings.private_key === null) {
      const pair = randomWireGuardKeyPair();
      return { ...settings, private_key: pair.privateKey, public_key: pair.publicKey };
    }
    return settings.public_key === null ? { ...settings, public_key: publicKeyOf(settings.private_key) } : settings;
  }

  /**
   * The peer IPs `user` holds once it reaches `tags` (kept, released, or newly taken). A full subnet is a
   * {@link WireGuardRefusal} with the panel's text, and nothing is taken.
   */
  peerIpsFor(user: SimUser, tags: ReadonlySet<string>, users: Iterable<SimUser>): string[] {
    try {
      return allocate(
        { id: user.id, peerIps: user.proxySettings.wireguard.peer_ips },
        tags,
        namespacesOf(this.cores),
        holders(users),
        (key) => this.#held.get(key) ?? new Set(),
      );
    } catch (error) {
      if (error instanceof SubnetExhaustedError) throw new WireGuardRefusal(error.message);
      throw error;
    }
  }

  /**
   * `reconcile_wireguard_subnets` after a core change: each user (in id order) keeps or takes its addresses; one
   * left without (a full subnet) keeps what it had, as the panel only logs it. A user given addresses gets keys.
   */
  reconcile(users: readonly SimUser[], tagsOf: (user: SimUser) => ReadonlySet<string>): void {
    for (const user of [...users].sort((a, b) => a.id - b.id)) {
      let peerIps: string[];
      try {
        peerIps = this.peerIpsFor(user, tagsOf(user), users);
      } catch (error) {
        if (error instanceof WireGuardRefusal) continue;
        throw error;
      }
      const wireguard = { ...user.proxySettings.wireguard, peer_ips: peerIps };
      if (peerIps.length > 0 && wireguard.private_key === null) Object.assign(wireguard, keysOf(randomWireGuardKeyPair()));
      else if (peerIps.length > 0 && wireguard.public_key === null) wireguard.public_key = publicKeyOf(wireguard.private_key!);
      user.proxySettings = { ...user.proxySettings, wireguard };
    }
  }

  /** `GET /api/wireguard/subnets`. */
  usage(users: Iterable<SimUser>): Record<string, unknown>[] {
    return subnetUsage(namespacesOf(this.cores), holders(users), (key) => this.#held.get(key) ?? new Set());
  }

  /**
   * Leaves `free` addresses free in every subnet the `tags` reach, the rest taken as if by users of other shops (the
   * lowest first); `free` above what users leave frees every such address again.
   */
  fillPool(tags: ReadonlySet<string>, free: number, users: Iterable<SimUser>): void {
    const all = holders(users);
    for (const ns of namespacesOf(this.cores).values()) {
      if (![...ns.tags].some((tag) => tags.has(tag))) continue;
      const open = freeOffsets(ns, takenOffsets(ns, all, new Set()));
      this.#held.set(ns.key, new Set(open.slice(0, Math.max(0, open.length - free))));
    }
  }

  /** Every peer IP the simulated users hold in the subnets the `tags` reach, one entry per user and address. */
  addressesInUse(tags: ReadonlySet<string>, users: Iterable<SimUser>): string[] {
    const cores = this.cores.filter((core) => tags.has(core.interfaceName));
    const out: string[] = [];
    for (const user of users) out.push(...new Set(cores.flatMap((core) => peerIpsOn(core, user.proxySettings.wireguard.peer_ips))));
    return out;
  }

  /** What the node serving `interfaceName` holds: the users active or on hold that reach it, with a key and an address there. */
  nodeConfig(interfaceName: string, users: Iterable<SimUser>, tagsOf: (user: SimUser) => ReadonlySet<string>): WireGuardNodeConfig {
    const core = this.cores.find((c) => c.interfaceName === interfaceName);
    if (core === undefined) throw new Error(`no WireGuard core ${interfaceName}`);
    const peers: WireGuardNodeConfig['peers'] = [];
    for (const user of users) {
      if (user.status !== 'active' && user.status !== 'on_hold') continue;
      if (!tagsOf(user).has(interfaceName)) continue;
      const publicKey = user.proxySettings.wireguard.public_key;
      const allowedIps = peerIpsOn(core, user.proxySettings.wireguard.peer_ips);
      if (publicKey !== null && allowedIps.length > 0) peers.push({ username: user.username, publicKey, allowedIps });
    }
    return {
      interfaceName,
      listenPort: core.listenPort,
      privateKey: core.privateKey,
      preSharedKey: core.preSharedKey,
      addresses: [...core.addresses],
      peers,
    };
  }
}

function keysOf(pair: { privateKey: string; publicKey: string }): Pick<SimWireGuardSettings, 'private_key' | 'public_key'> {
  return { private_key: pair.privateKey, public_key: pair.publicKey };
}

function holders(users: Iterable<SimUser>): { id: number; peerIps: string[] }[] {
  return [...users].map((user) => ({ id: user.id, peerIps: user.proxySettings.wireguard.peer_ips }));
}
