import type { ClientRef, TargetRef } from './panel.js';

/**
 * What a panel's per-client address reading is like (`PanelCapabilities.clientAddresses`), so that the guard can
 * plan its reads and weigh what it reads without naming the panel.
 *
 * | Panel            | `bulk` | `windowSeconds` | `liveCounts` | What one address in a reading means                                   |
 * | ---------------- | ------ | --------------- | ------------ | --------------------------------------------------------------------- |
 * | 3x-ui v3.4.1+    | yes    | 1800            | no           | seen by the panel's IP job (every 10 s), kept up to 30 min with a limit |
 * | PasarGuard v5+   | no     | 20              | yes          | a live connection on a node now (Xray's online map)                    |
 * | Remnawave 3.x    | yes    | 20              | no           | a live connection on a node now (Xray's online map)                    |
 */
export interface ClientAddressesCapability {
  /**
   * `listClientAddresses` takes a whole target in a few calls a panel (3x-ui: two; Remnawave: a job a node). False: one
   * call a client (PasarGuard), and it takes only a list of clients; read candidates, not everyone.
   */
  readonly bulk: boolean;
  /**
   * How long after its last use an address may still be reported, in seconds: about 20 where the panel asks the
   * core's live map, 1800 for 3x-ui's recorded IPs (an IP limit keeps 30 minutes of them). A phone that moved from
   * Wi-Fi to LTE within the window shows twice.
   */
  readonly windowSeconds: number;
  /** Each address carries how many connections come from it now (`ClientAddress.connections`). */
  readonly liveCounts: boolean;
}

/** One address a panel reports for a client. */
export interface ClientAddress {
  /** The source IP as the panel reports it (IPv4, or IPv6 without brackets). */
  readonly ip: string;
  /** The node that saw it (the panel's node id or uuid), where the panel reads per node; `null` otherwise. */
  readonly node: string | null;
  /** When the address was last seen, where the panel says; `null` when it does not. */
  readonly lastSeenAt: Date | null;
  /** Connections from it now, where `capabilities.clientAddresses.liveCounts`; `null` otherwise. */
  readonly connections: number | null;
}

/**
 * One client's address reading. `addresses: null` is **no reading**: the panel (or every node that serves the client)
 * gave no answer, or the panel records nothing (3x-ui without fail2ban: no record for a client it reports online;
 * PasarGuard: no node reports the user, which it says alike of a user connected nowhere and of nodes that failed).
 * `[]` is a real reading of zero addresses. A caller never turns `null` into `[]`.
 */
export interface ClientAddressReading {
  /** The client's username, as in its `ClientRef`. */
  readonly username: string;
  /** When the adapter read it (the adapter's clock). */
  readonly at: Date;
  /** The addresses the panel reports now, one entry per address and node; `null` for no reading. */
  readonly addresses: readonly ClientAddress[] | null;
  /**
   * Nodes that gave no answer for this read while others did, so `addresses` may miss what they saw; empty when every
   * node answered (or the panel has no nodes).
   */
  readonly silentNodes: readonly string[];
}

/**
 * What `listClientAddresses` reads: every client of one target (only where `capabilities.clientAddresses.bulk`), or
 * the clients named.
 */
export type ClientAddressScope = TargetRef | readonly ClientRef[];

/** Whether a scope names clients (`ClientRef[]`) rather than a whole target. */
export function isClientList(scope: ClientAddressScope): scope is readonly ClientRef[] {
  return Array.isArray(scope);
}
